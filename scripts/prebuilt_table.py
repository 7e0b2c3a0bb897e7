"""Print the README's tables from the files the training scripts wrote (figures are never
typed in by hand): the prebuilt models from their model cards, and the variants trained
beside them from `benchmarks/results/fusion_ablations.json`, and the image-text models on
another renderer's scenes from `benchmarks/results/independent_renderer.json`, and the judge and
text-to-image generators from their cards and `benchmarks/results/text_to_image.json`, and the
distillation experiments from the `distillation.json` beside each distilled student, and the
dual encoders' retrieval and fine-tuning from the `experiments.json` beside each, and every
family on the CPU and the GPU from `benchmarks/results/accelerator.json`.

    python scripts/prebuilt_table.py
"""

import json
from pathlib import Path

from mmzoo import presets, registry

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results"
ABLATIONS = RESULTS / "fusion_ablations.json"
INDEPENDENT_RENDERER = RESULTS / "independent_renderer.json"
CAPTIONER_SAVEDMODEL = RESULTS / "captioner_savedmodel.json"
SPEECH_SAVEDMODEL = RESULTS / "speech_savedmodel.json"
TEXT_TO_IMAGE_BENCHMARK = RESULTS / "text_to_image.json"
ACCELERATOR = RESULTS / "accelerator.json"
SPEECH_GENERALISATION = RESULTS / "speech_generalisation.json"
SERVE = RESULTS / "serve.json"
BAD_INPUTS = RESULTS / "bad_inputs.json"


def prebuilt_table():
    print("| preset | task | fusion | parameters | test accuracy | other splits | size of files |")
    print("|---|---|---|---|---|---|---|")
    for name in presets.list_presets():
        card = presets.model_card(name)
        metrics = card["metrics"]
        if "accuracy" not in metrics["test"]:
            continue  # a captioner: see captioner_table
        others = ", ".join(f"{split} {values['accuracy']:.4f}" for split, values in metrics.items() if split != "test")
        size = sum(p.stat().st_size for p in presets.preset_dir(name).rglob("*") if p.is_file())
        fusion = card["model_args"].get("fusion") or card["model_args"].get("student_args", {}).get("fusion", "")
        print(f"| `{name}` | {card['task']['name']} | {fusion} | "
              f"{card['parameters']:,} | {metrics['test']['accuracy']:.4f} | {others or '-'} | "
              f"{size / 2**20:.1f} MB |")


def ablation_table():
    if not ABLATIONS.exists():
        return
    print("| preset | variant | model arguments | epochs | parameters | best validation | test | compositional |")
    print("|---|---|---|---|---|---|---|---|")
    for preset, variants in json.loads(ABLATIONS.read_text()).items():
        for variant, figures in variants.items():
            compositional = figures.get("compositional_accuracy")
            print(f"| `{preset}` | {variant} | `{json.dumps(figures['model_args'])}` | {figures['epochs']} | "
                  f"{figures['parameters']:,} | {figures['best_validation_accuracy']:.4f} | "
                  f"{figures['test_accuracy']:.4f} | {'-' if compositional is None else f'{compositional:.4f}'} |")


def independent_renderer_table():
    if not INDEPENDENT_RENDERER.exists():
        return
    print("| preset | version | scenes | test distribution | compositional |")
    print("|---|---|---|---|---|")
    for preset, figures in json.loads(INDEPENDENT_RENDERER.read_text()).items():
        print(f"| `{preset}` | {figures['version']} | {figures['scenes']:,} x 2 captions | "
              f"{figures['test_accuracy']:.4f} | {figures['compositional_accuracy']:.4f} |")


def captioner_table():
    if not CAPTIONER_SAVEDMODEL.exists():
        return
    results = json.loads(CAPTIONER_SAVEDMODEL.read_text())
    print(f"`{results['preset']}` version {results['version']}, through its SavedModel:")
    print()
    print("| scenes | decoding | BLEU-1 | BLEU-2 | BLEU-3 | BLEU-4 | CIDEr-D | exact match | images |")
    print("|---|---|---|---|---|---|---|---|---|")
    for scenes, methods in results.items():
        if not isinstance(methods, dict):
            continue
        for method, figures in methods.items():
            print(f"| {scenes.replace('_', ' ')} | {method} | " + " | ".join(
                f"{figures[k]:.4f}" for k in ("bleu_1", "bleu_2", "bleu_3", "bleu_4", "cider", "exact_match"))
                + f" | {figures['examples']:,} |")


def recogniser_table():
    recognisers = [name for name in presets.list_presets() if presets.model_card(name)["architecture"] == "speech_lstm"]
    if recognisers:
        print("| preset | task | parameters | split | decoding | WER % | CER % | exact transcripts |")
        print("|---|---|---|---|---|---|---|---|")
    for name in recognisers:
        card = presets.model_card(name)
        for split, values in card["metrics"].items():
            for method, figures in (("greedy", values), ("beam", values["beam"])):
                print(f"| `{name}` | {card['task']['name']} | {card['parameters']:,} | {split} | {method} | "
                      f"{100 * figures['wer']:.3f} | {100 * figures['cer']:.3f} | {figures['exact_match']:.4f} |")
    if SPEECH_SAVEDMODEL.exists():
        print()
        print("Through the SavedModels (`scripts/speech_savedmodel_metrics.py`), WAV files at 16, 8 and 44.1 kHz:")
        print()
        print("| preset | version | split | decoding | WER % | CER % | exact transcripts | utterances |")
        print("|---|---|---|---|---|---|---|---|")
        for name, splits in json.loads(SPEECH_SAVEDMODEL.read_text()).items():
            for split, figures in splits.items():
                if split == "version":
                    continue
                rates = figures["sample_rates"]
                for method, values in (("beam, 16 kHz", figures["beam"]), ("greedy, 16 kHz", figures["greedy"]),
                                       ("beam, 8 kHz", rates["beam_8k"]), ("beam, 44.1 kHz", rates["beam_44k"])):
                    print(f"| `{name}` | {splits['version']} | {split} | {method} | {100 * values['wer']:.3f} | "
                          f"{100 * values['cer']:.3f} | {values['exact_match']:.4f} | {values['examples']:,} |")
                print(f"| `{name}` | {splits['version']} | {split} | same transcript at 8 and 44.1 kHz | | | "
                      f"{rates['same_transcript_8k_and_44k']:.4f} | |")
    runs = [json.loads(path.read_text()) for path in sorted(RESULTS.glob("fsdd_leave_one_speaker_out*.json"))]
    if runs:
        print()
        print("| FSDD speaker left out | synthetic words | model changes | word accuracy (beam) | greedy | CER | "
              "recordings |")
        print("|---|---|---|---|---|---|---|")
    preset = registry.preset_config("speech_fsdd").model_args
    for results in runs:
        synthetic = f"{10 * (results.get('synthetic_per_word') or 0):,}"
        data = results.get("data_args") or {}
        if data and results.get("synthetic_per_word"):
            synthetic += f" ({data.get('synthetic_voices', 'shapes')} voices, " \
                         f"{' + '.join(data.get('synthetic_engines', ['espeak']))})"
        changes = ", ".join(f"{k}={v}" for k, v in results.get("model_args", preset).items() if preset.get(k) != v)
        for speaker, figures in results["speakers"].items():
            print(f"| {speaker} | {synthetic} | {changes} | {figures['word_accuracy']:.4f} | "
                  f"{figures['word_accuracy_greedy']:.4f} | {figures['cer']:.4f} | {figures['recordings']} |")
        if len(results["speakers"]) > 1:
            print(f"| mean | {synthetic} | {changes} | {results['mean_word_accuracy']:.4f} | | | |")


def speech_generalisation_table():
    """The shipped audio models on what they never heard (`scripts/speech_generalisation.py`)."""
    if not SPEECH_GENERALISATION.exists():
        return
    results = json.loads(SPEECH_GENERALISATION.read_text())
    shapes = results["shapes"]
    print(f"| condition ({shapes['captions']} Shapes test captions) | `speech_shapes` CER % | WER % | exact | "
          "`fusion_shapes_text_audio` accuracy |")
    print("|---|---|---|---|---|")
    for condition, figures in shapes["speech_shapes"].items():
        matching = shapes["fusion_shapes_text_audio"].get(condition, {}).get("accuracy")
        print(f"| {condition.replace('_', ' ')} | {100 * figures['cer']:.1f} | {100 * figures['wer']:.1f} | "
              f"{figures['exact_match']:.3f} | {'' if matching is None else f'{matching:.3f}'} |")
    loso = results["fsdd"]["leave_one_speaker_out"]
    baseline, zoo = loso["baseline_mfcc_svc"], loso["speech_fsdd_recipe"]
    print()
    print("| FSDD speaker left out | `speech_fsdd` recipe, word accuracy | MFCC + SVC baseline |")
    print("|---|---|---|")
    for speaker, accuracy in baseline["speakers"].items():
        print(f"| {speaker} | {zoo[speaker]:.3f} | {accuracy:.3f} |" if speaker in zoo else
              f"| {speaker} | | {accuracy:.3f} |")
    zoo_mean = f"{sum(zoo.values()) / len(zoo):.3f}" if zoo else ""
    print(f"| mean | {zoo_mean} | {baseline['mean']:.3f} |")
    digits = results["fsdd"]["festival_digits"]
    if isinstance(digits, dict):
        print(f"| digit words by Festival ({digits['words']}), models trained on all of FSDD | "
              f"{digits['speech_fsdd_word_accuracy']:.3f} | {digits['baseline_mfcc_svc_accuracy']:.3f} |")


def text_to_image_table():
    """The judge and the generators, by the judge's attribute accuracy (generators: pooled over
    their evaluation seeds), and the text-to-image benchmark."""
    names = [name for name in presets.list_presets() if "attribute_accuracy" in presets.model_card(name)["metrics"]["test"]]
    if names:
        print("| preset | mode | parameters | split | attribute accuracy | all attributes right | relation | "
              "pixel std across seeds | judge on the real images | L1 at the true layout | size of files |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in names:
        card = presets.model_card(name)
        size = sum(p.stat().st_size for p in presets.preset_dir(name).rglob("*") if p.is_file())
        for split in sorted(card["metrics"], key=lambda split: split != "test"):
            values = card["metrics"][split]

            def figure(key):
                return f"{values[key]:.4f}" if key in values else "-"

            print(f"| `{name}` | {card['model_args'].get('mode', 'judge')} | {card['parameters']:,} | {split} | "
                  f"{values['attribute_accuracy']:.4f} | {values['all_attributes_right']:.4f} | "
                  f"{values['per_attribute']['relation']:.4f} | {figure('pixel_std_across_seeds')} | "
                  f"{figure('judge_on_real_images')} | {figure('l1_at_true_layout')} | {size / 2**20:.1f} MB |")
    if TEXT_TO_IMAGE_BENCHMARK.exists():
        results = json.loads(TEXT_TO_IMAGE_BENCHMARK.read_text())
        print()
        print("| preset | mode | training images/s | SavedModel batch 1: p50 ms, images/s | batch 32: p50 ms, images/s |")
        print("|---|---|---|---|---|")
        for name, figures in results.items():
            if name == "machine":
                continue
            one, many = figures["savedmodel_serving_default"]["batch_1"], figures["savedmodel_serving_default"]["batch_32"]
            print(f"| `{name}` | {figures['mode']} | {figures['training']['images_per_second']:.0f} | "
                  f"{one['p50']:.1f}, {one['images_per_second']:.0f} | {many['p50']:.1f}, {many['images_per_second']:.0f} |")


def distillation_table():
    """Teacher, student from scratch and distilled student per task (means of the seeds), from
    the table `scripts/distillation_experiments.py` wrote beside each prebuilt student."""
    students = [name for name in presets.list_presets() if registry.PRESETS[name].model == "distiller"]
    if not students:
        return
    print("| task | model | test accuracy (mean ± std, 3 seeds) | compositional | parameters | MFLOPs | "
          "SavedModel p50 batch 1 |")
    print("|---|---|---|---|---|---|---|")
    for name in students:
        table = json.loads((presets.preset_dir(name) / "distillation.json").read_text())
        task = registry.PRESETS[name].task
        for kind in ("teacher", "scratch_student", "distilled_student"):
            row, accuracy = table[kind], table[kind]["accuracy"]
            compositional = f"{accuracy['compositional']['mean']:.4f}" if "compositional" in accuracy else "-"
            print(f"| {task} | {kind.replace('_', ' ')} | {accuracy['test']['mean']:.4f} ± {accuracy['test']['std']:.4f} | "
                  f"{compositional} | "
                  f"{row['parameters']:,} | {row['flops'] / 1e6:.1f} | "
                  f"{row['savedmodel_latency_ms']['batch_1']['p50']:.2f} ms |")


def dual_encoder_table():
    names = [name for name in presets.list_presets() if registry.PRESETS[name].model == "dual_encoder"]
    for name in names:
        experiments = json.loads((presets.preset_dir(name) / "experiments.json").read_text())
        encoder = experiments["dual_encoder"]
        print(f"`{name}` ({encoder['parameters']:,} parameters), recall@k among the split's first "
              f"{encoder['splits']['test']['examples']:,} scenes:")
        print()
        print("| split | direction | R@1 | R@5 | R@10 | zero-shot size | colour | shape |")
        print("|---|---|---|---|---|---|---|---|")
        for split, metrics in encoder["splits"].items():
            zero_shot = metrics["zero_shot"]
            for direction in ("text_to_image", "image_to_text"):
                recalls = " | ".join(f"{metrics[direction][f'recall_at_{k}']:.4f}" for k in (1, 5, 10))
                attributes = " | ".join(f"{zero_shot[a]['accuracy']:.4f}" if direction == "text_to_image" else ""
                                        for a in ("size", "colour", "shape"))
                print(f"| {split} | {direction.replace('_', ' ')} | {recalls} | {attributes} |")
        print()
        print("| labelled pairs | from scratch (test) | from the pretrained encoders (test) | difference |")
        print("|---|---|---|---|")
        for point in experiments["fine_tuning"]:
            print(f"| {point['label_fraction']:.0%} | {point['scratch']['test']['mean']:.4f} | "
                  f"{point['pretrained']['test']['mean']:.4f} | {point['pretrained_minus_scratch_test']:+.4f} |")


def accelerator_table():
    results = json.loads(ACCELERATOR.read_text())
    cpu, gpu = (results["runs"].get(kind, {}).get("families", {}) for kind in ("cpu", "gpu"))

    def rate(entry, setting):
        figure = entry.get(setting, {})
        if "examples_per_second" not in figure:
            return "-"
        loss = f", loss x{figure['loss_over_fp32']:.3f}" if "loss_over_fp32" in figure else ""
        without_xla = " (no XLA)" if "xla" in setting and not figure.get("jit_compiled", True) else ""
        return f"{figure['examples_per_second']:,.0f}{loss}{without_xla}"

    print("| family | CPU fp32 | CPU XLA | CPU steps/execution 8 | GPU fp32 | GPU mixed precision | GPU XLA | "
          "GPU / CPU (fp32) | LSTMs on cuDNN |")
    print("|---|---|---|---|---|---|---|---|---|")
    for family in sorted(set(cpu) | set(gpu)):
        on_cpu, on_gpu = cpu.get(family, {}), gpu.get(family, {})
        ratio = "-"
        if "examples_per_second" in on_cpu.get("fp32", {}) and "examples_per_second" in on_gpu.get("fp32", {}):
            ratio = f"{on_gpu['fp32']['examples_per_second'] / on_cpu['fp32']['examples_per_second']:.1f}x"
        report = next((entry["fp32"] for entry in (on_cpu, on_gpu) if "lstms" in entry.get("fp32", {})), {})
        lstms = f"{report['cudnn_eligible']} of {report['lstms']}" if "lstms" in report else "-"
        print(f"| {family} | {rate(on_cpu, 'fp32')} | {rate(on_cpu, 'xla')} | {rate(on_cpu, 'steps_per_execution_8')} "
              f"| {rate(on_gpu, 'fp32')} | {rate(on_gpu, 'mixed_precision')} | {rate(on_gpu, 'xla')} | {ratio} | "
              f"{lstms} |")


def serving_table():
    """`mmzoo serve` under load (`benchmarks/serve.py`) and the bad-input corpus on every prebuilt
    model (`scripts/bad_inputs_on_prebuilt.py`)."""
    if SERVE.exists():
        serve = json.loads(SERVE.read_text())
        load, signatures = serve["load"], [s for m in serve["models"].values() for s in m["signatures"].values()]
        print("| `mmzoo serve` | figure |")
        print("|---|---|")
        print(f"| prebuilt models over HTTP answering as in-process | {len(serve['models'])} models, "
              f"{sum(s['matches_in_process'] for s in signatures)} of {len(signatures)} signatures |")
        print(f"| {load['clients']} clients x {load['requests_per_client']} requests to `{load['model']}` | "
              f"{load['requests_per_second']} requests/s, p50 {load['latency_ms']['p50']} ms, p99 "
              f"{load['latency_ms']['p99']} ms, {load['errors']} errors |")
        print(f"| server memory growth under that load | {load['server_resident_mb']['growth']} MB |")
        print(f"| machine | {serve['machine']} |")
    if BAD_INPUTS.exists():
        summary = json.loads(BAD_INPUTS.read_text())["summary"]
        print()
        print("| bad-input corpus on every prebuilt SavedModel | figure |")
        print("|---|---|")
        print(f"| cases (a case through a signature) | {summary['cases']} |")
        print(f"| outcome other than expected / not UTF-8 / over 300 characters | {summary['unexpected']} / "
              f"{summary['not_utf8']} / {summary['too_long']} |")
        print(f"| largest memory growth for one input (up to 10 MB) | {summary['peak_memory_growth_mb']} MB |")
        print(f"| CLI refusals one line, exit 2 | {'all' if summary['cli_one_line_exit_2'] else 'not all'} |")


if __name__ == "__main__":
    prebuilt_table()
    print()
    ablation_table()
    print()
    independent_renderer_table()
    print()
    captioner_table()
    print()
    recogniser_table()
    print()
    speech_generalisation_table()
    print()
    text_to_image_table()
    print()
    distillation_table()
    print()
    dual_encoder_table()
    print()
    accelerator_table()
    print()
    serving_table()
