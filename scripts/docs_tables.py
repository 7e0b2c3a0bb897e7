"""Write the tables of the README and of `docs/` from the files the training, evaluation and
benchmark scripts wrote, so no figure is typed in by hand, and check the figures in their prose.

A page marks each generated table as a block:

    <!-- table: speech_generalisation -->
    ... (written by this script)
    <!-- /table -->

    python scripts/docs_tables.py            # rewrite every block of README.md and docs/*.md
    python scripts/docs_tables.py --check    # exit 1 if a block is stale or a figure has no source

Outside the blocks, every decimal figure in a page's prose (0.9935, 3.7, 1.5x) must be one that a
result file holds, at the precision written (a share may be written as a percentage), or one of
the page's own tables: a figure that no file holds cannot be checked, so it may not be written.
Sources: `benchmarks/results/**/*.json` and every prebuilt model's `metrics.json`,
`distillation.json`, `experiments.json` and model card (`mmzoo.json`).
"""

import argparse
import json
import re
import sys
from pathlib import Path

from mmzoo import presets, registry

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
ABLATIONS = RESULTS / "fusion_ablations.json"
INDEPENDENT_RENDERER = RESULTS / "independent_renderer.json"
CAPTIONER_SAVEDMODEL = RESULTS / "captioner_savedmodel.json"
SPEECH_SAVEDMODEL = RESULTS / "speech_savedmodel.json"
TEXT_TO_IMAGE_BENCHMARK = RESULTS / "text_to_image.json"
ACCELERATOR = RESULTS / "accelerator.json"
SPEECH_GENERALISATION = RESULTS / "speech_generalisation.json"
SERVE = RESULTS / "serve.json"
BAD_INPUTS = RESULTS / "bad_inputs.json"
TRAINER_AND_SERVING = RESULTS / "trainer_and_serving.json"
REPLICAS = RESULTS / "replicas.json"
CAPTIONER_BENCHMARK = RESULTS / "captioner.json"
SPEECH_BENCHMARK = RESULTS / "speech.json"
DATA_PIPELINE = RESULTS / "data_pipeline.json"
TOKENIZERS = RESULTS / "tokenizers.json"
TEXT_PRETRAINING = RESULTS / "text_pretraining.json"
BILINGUAL = RESULTS / "bilingual.json"



def prebuilt_table():
    out = []
    out.append("| preset | task | fusion | parameters | test accuracy | other splits | size of files |")
    out.append("|---|---|---|---|---|---|---|")
    for name in presets.list_presets():
        card = presets.model_card(name)
        metrics = card["metrics"]
        if "accuracy" not in metrics["test"]:
            continue  # a captioner: see captioner_table
        others = ", ".join(f"{split} {values['accuracy']:.4f}" for split, values in metrics.items() if split != "test")
        size = sum(p.stat().st_size for p in presets.preset_dir(name).rglob("*") if p.is_file())
        fusion = card["model_args"].get("fusion") or card["model_args"].get("student_args", {}).get("fusion", "")
        out.append(f"| `{name}` | {card['task']['name']} | {fusion} | "
              f"{card['parameters']:,} | {metrics['test']['accuracy']:.4f} | {others or '-'} | "
              f"{size / 2**20:.1f} MB |")
    return out


def ablation_table():
    out = []
    if not ABLATIONS.exists():
        return out
    out.append("| preset | variant | model arguments | epochs | parameters | best validation | test | compositional |")
    out.append("|---|---|---|---|---|---|---|---|")
    for preset, variants in json.loads(ABLATIONS.read_text()).items():
        for variant, figures in variants.items():
            compositional = figures.get("compositional_accuracy")
            out.append(f"| `{preset}` | {variant} | `{json.dumps(figures['model_args'])}` | {figures['epochs']} | "
                  f"{figures['parameters']:,} | {figures['best_validation_accuracy']:.4f} | "
                  f"{figures['test_accuracy']:.4f} | {'-' if compositional is None else f'{compositional:.4f}'} |")
    return out


def independent_renderer_table():
    out = []
    if not INDEPENDENT_RENDERER.exists():
        return out
    out.append("| preset | version | scenes | test distribution | compositional |")
    out.append("|---|---|---|---|---|")
    for preset, figures in json.loads(INDEPENDENT_RENDERER.read_text()).items():
        out.append(f"| `{preset}` | {figures['version']} | {figures['scenes']:,} x 2 captions | "
              f"{figures['test_accuracy']:.4f} | {figures['compositional_accuracy']:.4f} |")
    return out


def captioner_table():
    out = []
    if not CAPTIONER_SAVEDMODEL.exists():
        return out
    results = json.loads(CAPTIONER_SAVEDMODEL.read_text())
    out.append(f"`{results['preset']}` version {results['version']}, through its SavedModel:")
    out.append("")
    out.append("| scenes | decoding | BLEU-1 | BLEU-2 | BLEU-3 | BLEU-4 | CIDEr-D | exact match | images |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    for scenes, methods in results.items():
        if not isinstance(methods, dict):
            continue
        for method, figures in methods.items():
            out.append(f"| {scenes.replace('_', ' ')} | {method} | " + " | ".join(
                f"{figures[k]:.4f}" for k in ("bleu_1", "bleu_2", "bleu_3", "bleu_4", "cider", "exact_match"))
                + f" | {figures['examples']:,} |")
    return out


def recogniser_table():
    out = []
    recognisers = [name for name in presets.list_presets() if presets.model_card(name)["architecture"] == "speech_lstm"]
    if recognisers:
        out.append("| preset | task | parameters | split | decoding | WER % | CER % | exact transcripts |")
        out.append("|---|---|---|---|---|---|---|---|")
    for name in recognisers:
        card = presets.model_card(name)
        for split, values in card["metrics"].items():
            for method, figures in (("greedy", values), ("beam", values["beam"])):
                out.append(f"| `{name}` | {card['task']['name']} | {card['parameters']:,} | {split} | {method} | "
                      f"{100 * figures['wer']:.3f} | {100 * figures['cer']:.3f} | {figures['exact_match']:.4f} |")
    if SPEECH_SAVEDMODEL.exists():
        out.append("")
        out.append("Through the SavedModels (`scripts/speech_savedmodel_metrics.py`), WAV files at 16, 8 and 44.1 kHz:")
        out.append("")
        out.append("| preset | version | split | decoding | WER % | CER % | exact transcripts | utterances |")
        out.append("|---|---|---|---|---|---|---|---|")
        for name, splits in json.loads(SPEECH_SAVEDMODEL.read_text()).items():
            for split, figures in splits.items():
                if split == "version":
                    continue
                rates = figures["sample_rates"]
                for method, values in (("beam, 16 kHz", figures["beam"]), ("greedy, 16 kHz", figures["greedy"]),
                                       ("beam, 8 kHz", rates["beam_8k"]), ("beam, 44.1 kHz", rates["beam_44k"])):
                    out.append(f"| `{name}` | {splits['version']} | {split} | {method} | {100 * values['wer']:.3f} | "
                          f"{100 * values['cer']:.3f} | {values['exact_match']:.4f} | {values['examples']:,} |")
                out.append(f"| `{name}` | {splits['version']} | {split} | same transcript at 8 and 44.1 kHz | | | "
                      f"{rates['same_transcript_8k_and_44k']:.4f} | |")
    runs = [json.loads(path.read_text()) for path in sorted(RESULTS.glob("fsdd_leave_one_speaker_out*.json"))]
    if runs:
        out.append("")
        out.append("| FSDD speaker left out | synthetic words | front end and augmentation (beside the defaults) | "
                   "word accuracy (beam) | greedy | CER | recordings |")
        out.append("|---|---|---|---|---|---|---|")
    preset = registry.preset_config("speech_fsdd").model_args
    for results in runs:
        synthetic = f"{10 * (results.get('synthetic_per_word') or 0):,}"
        data = results.get("data_args") or {}
        if data and results.get("synthetic_per_word"):
            synthetic += f" ({data.get('synthetic_voices', 'shapes')} voices, " \
                         f"{' + '.join(data.get('synthetic_engines', ['espeak']))})"
        changes = ", ".join(f"{k}={v}" for k, v in results.get("model_args", preset).items()
                            if k not in ("width", "layers")) or "defaults"
        for speaker, figures in results["speakers"].items():
            out.append(f"| {speaker} | {synthetic} | {changes} | {figures['word_accuracy']:.4f} | "
                  f"{figures['word_accuracy_greedy']:.4f} | {figures['cer']:.4f} | {figures['recordings']} |")
        if len(results["speakers"]) > 1:
            out.append(f"| mean of {len(results['speakers'])} | {synthetic} | {changes} | "
                       f"{results['mean_word_accuracy']:.4f} | | | |")
    return out


def speech_generalisation_table():
    """The shipped audio models on what they never heard (`scripts/speech_generalisation.py`)."""
    out = []
    if not SPEECH_GENERALISATION.exists():
        return out
    results = json.loads(SPEECH_GENERALISATION.read_text())
    shapes = results["shapes"]
    out.append(f"| condition ({shapes['captions']} Shapes test captions) | `speech_shapes` CER % | WER % | exact | "
          "`fusion_shapes_text_audio` accuracy |")
    out.append("|---|---|---|---|---|")
    trained_on = results.get("trained_on", {})

    def heard(model, condition, figure):
        return f"{figure} (trained on)" if condition in trained_on.get(model, []) else figure

    for condition, figures in shapes["speech_shapes"].items():
        cer = heard("speech_shapes", condition, f"{100 * figures['cer']:.1f}")
        matching = shapes["fusion_shapes_text_audio"].get(condition, {}).get("accuracy")
        matching = "" if matching is None else heard("fusion_shapes_text_audio", condition, f"{matching:.3f}")
        out.append(f"| {condition.replace('_', ' ')} | {cer} | {100 * figures['wer']:.1f} | "
                   f"{figures['exact_match']:.3f} | {matching} |")
    if trained_on:
        out.append("")
        out.append("(trained on): an engine that model heard in training, in other voices or at other rates; "
                   "every other engine is one it never heard.")
    loso = results["fsdd"]["leave_one_speaker_out"]
    baseline, zoo = loso["baseline_mfcc_svc"], loso["speech_fsdd_recipe"]
    out.append("")
    out.append("| FSDD speaker left out | `speech_fsdd` recipe, word accuracy | MFCC + SVC baseline |")
    out.append("|---|---|---|")
    for speaker, accuracy in baseline["speakers"].items():
        out.append(f"| {speaker} | {zoo[speaker]:.3f} | {accuracy:.3f} |" if speaker in zoo else
              f"| {speaker} | | {accuracy:.3f} |")
    zoo_mean = f"{sum(zoo.values()) / len(zoo):.3f}" if zoo else ""
    out.append(f"| mean | {zoo_mean} | {baseline['mean']:.3f} |")
    for key, digits in results["fsdd"].items():
        if key.endswith("_digits") and isinstance(digits, dict):
            engine = key.removesuffix("_digits")
            zoo_accuracy = heard("speech_fsdd", engine, f"{digits['speech_fsdd_word_accuracy']:.3f}")
            out.append(f"| digit words by {engine} ({digits['words']}), models trained on all of FSDD | "
                       f"{zoo_accuracy} | {digits['baseline_mfcc_svc_accuracy']:.3f} |")
    return out


def text_to_image_table():
    """The judge and the generators, by the judge's attribute accuracy (generators: pooled over
    their evaluation seeds), and the text-to-image benchmark."""
    out = []
    names = [name for name in presets.list_presets() if "attribute_accuracy" in presets.model_card(name)["metrics"]["test"]]
    if names:
        out.append("| preset | mode | parameters | split | attribute accuracy | all attributes right | relation | "
              "pixel std across seeds | judge on the real images | L1 at the true layout | size of files |")
        out.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in names:
        card = presets.model_card(name)
        size = sum(p.stat().st_size for p in presets.preset_dir(name).rglob("*") if p.is_file())
        for split in sorted(card["metrics"], key=lambda split: split != "test"):
            values = card["metrics"][split]

            def figure(key):
                return f"{values[key]:.4f}" if key in values else "-"

            out.append(f"| `{name}` | {card['model_args'].get('mode', 'judge')} | {card['parameters']:,} | {split} | "
                  f"{values['attribute_accuracy']:.4f} | {values['all_attributes_right']:.4f} | "
                  f"{values['per_attribute']['relation']:.4f} | {figure('pixel_std_across_seeds')} | "
                  f"{figure('judge_on_real_images')} | {figure('l1_at_true_layout')} | {size / 2**20:.1f} MB |")
    if TEXT_TO_IMAGE_BENCHMARK.exists():
        results = json.loads(TEXT_TO_IMAGE_BENCHMARK.read_text())
        out.append("")
        out.append("| preset | mode | training images/s | SavedModel batch 1: p50 ms, images/s | batch 32: p50 ms, images/s |")
        out.append("|---|---|---|---|---|")
        for name, figures in results.items():
            if name == "machine":
                continue
            one, many = figures["savedmodel_serving_default"]["batch_1"], figures["savedmodel_serving_default"]["batch_32"]
            out.append(f"| `{name}` | {figures['mode']} | {figures['training']['images_per_second']:.0f} | "
                  f"{one['p50']:.1f}, {one['images_per_second']:.0f} | {many['p50']:.1f}, {many['images_per_second']:.0f} |")
    return out


def distillation_table():
    """Teacher, student from scratch and distilled student per task (means of the seeds), from
    the table `scripts/distillation_experiments.py` wrote beside each prebuilt student."""
    out = []
    students = [name for name in presets.list_presets() if registry.PRESETS[name].model == "distiller"]
    if not students:
        return out
    out.append("| task | model | test accuracy (mean ± std, 3 seeds) | compositional | parameters | MFLOPs | "
          "SavedModel p50 batch 1 |")
    out.append("|---|---|---|---|---|---|---|")
    for name in students:
        table = json.loads((presets.preset_dir(name) / "distillation.json").read_text())
        task = registry.PRESETS[name].task
        for kind in ("teacher", "scratch_student", "distilled_student"):
            row, accuracy = table[kind], table[kind]["accuracy"]
            compositional = f"{accuracy['compositional']['mean']:.4f}" if "compositional" in accuracy else "-"
            out.append(f"| {task} | {kind.replace('_', ' ')} | {accuracy['test']['mean']:.4f} ± {accuracy['test']['std']:.4f} | "
                  f"{compositional} | "
                  f"{row['parameters']:,} | {row['flops'] / 1e6:.1f} | "
                  f"{row['savedmodel_latency_ms']['batch_1']['p50']:.2f} ms |")
    return out


def dual_encoder_table():
    out = []
    names = [name for name in presets.list_presets() if registry.PRESETS[name].model == "dual_encoder"
             and (presets.preset_dir(name) / "experiments.json").exists()]
    for name in names:
        experiments = json.loads((presets.preset_dir(name) / "experiments.json").read_text())
        encoder = experiments["dual_encoder"]
        out.append(f"`{name}` ({encoder['parameters']:,} parameters), recall@k among the split's first "
              f"{encoder['splits']['test']['examples']:,} scenes:")
        out.append("")
        out.append("| split | direction | R@1 | R@5 | R@10 | zero-shot size | colour | shape |")
        out.append("|---|---|---|---|---|---|---|---|")
        for split, metrics in encoder["splits"].items():
            zero_shot = metrics["zero_shot"]
            for direction in ("text_to_image", "image_to_text"):
                recalls = " | ".join(f"{metrics[direction][f'recall_at_{k}']:.4f}" for k in (1, 5, 10))
                attributes = " | ".join(f"{zero_shot[a]['accuracy']:.4f}" if direction == "text_to_image" else ""
                                        for a in ("size", "colour", "shape"))
                out.append(f"| {split} | {direction.replace('_', ' ')} | {recalls} | {attributes} |")
        out.append("")
        out.append("| labelled pairs | from scratch (test) | from the pretrained encoders (test) | difference |")
        out.append("|---|---|---|---|")
        for point in experiments["fine_tuning"]:
            out.append(f"| {point['label_fraction']:.0%} | {point['scratch']['test']['mean']:.4f} | "
                  f"{point['pretrained']['test']['mean']:.4f} | {point['pretrained_minus_scratch_test']:+.4f} |")
    return out


def accelerator_table():
    out = []
    results = json.loads(ACCELERATOR.read_text())
    cpu, gpu = (results["runs"].get(kind, {}).get("families", {}) for kind in ("cpu", "gpu"))

    def rate(entry, setting):
        figure = entry.get(setting, {})
        if "examples_per_second" not in figure:
            return "-"
        loss = f", loss x{figure['loss_over_fp32']:.3f}" if "loss_over_fp32" in figure else ""
        without_xla = " (no XLA)" if "xla" in setting and not figure.get("jit_compiled", True) else ""
        return f"{figure['examples_per_second']:,.0f}{loss}{without_xla}"

    out.append("| family | CPU fp32 | CPU XLA | CPU steps/execution 8 | GPU fp32 | GPU mixed precision | GPU XLA | "
          "GPU / CPU (fp32) | LSTMs on cuDNN |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    for family in sorted(set(cpu) | set(gpu)):
        on_cpu, on_gpu = cpu.get(family, {}), gpu.get(family, {})
        ratio = "-"
        if "examples_per_second" in on_cpu.get("fp32", {}) and "examples_per_second" in on_gpu.get("fp32", {}):
            ratio = f"{on_gpu['fp32']['examples_per_second'] / on_cpu['fp32']['examples_per_second']:.1f}x"
        report = next((entry["fp32"] for entry in (on_cpu, on_gpu) if "lstms" in entry.get("fp32", {})), {})
        lstms = f"{report['cudnn_eligible']} of {report['lstms']}" if "lstms" in report else "-"
        out.append(f"| {family} | {rate(on_cpu, 'fp32')} | {rate(on_cpu, 'xla')} | {rate(on_cpu, 'steps_per_execution_8')} "
              f"| {rate(on_gpu, 'fp32')} | {rate(on_gpu, 'mixed_precision')} | {rate(on_gpu, 'xla')} | {ratio} | "
              f"{lstms} |")
    return out


def serving_table():
    """`mmzoo serve` under load (`benchmarks/serve.py`) and the bad-input corpus on every prebuilt
    model (`scripts/bad_inputs_on_prebuilt.py`)."""
    out = []
    if SERVE.exists():
        serve = json.loads(SERVE.read_text())
        load, signatures = serve["load"], [s for m in serve["models"].values() for s in m["signatures"].values()]
        out.append("| `mmzoo serve` | figure |")
        out.append("|---|---|")
        out.append(f"| prebuilt models over HTTP answering as in-process | {len(serve['models'])} models, "
              f"{sum(s['matches_in_process'] for s in signatures)} of {len(signatures)} signatures |")
        out.append(f"| {load['clients']} clients x {load['requests_per_client']} requests to `{load['model']}` | "
              f"{load['requests_per_second']} requests/s, p50 {load['latency_ms']['p50']} ms, p99 "
              f"{load['latency_ms']['p99']} ms, {load['errors']} errors |")
        out.append(f"| server memory growth under that load | {load['server_resident_mb']['growth']} MB |")
        out.append(f"| machine | {serve['machine']} |")
    if BAD_INPUTS.exists():
        summary = json.loads(BAD_INPUTS.read_text())["summary"]
        out.append("")
        out.append("| bad-input corpus on every prebuilt SavedModel | figure |")
        out.append("|---|---|")
        out.append(f"| cases (a case through a signature) | {summary['cases']} |")
        out.append(f"| outcome other than expected / not UTF-8 / over 300 characters | {summary['unexpected']} / "
              f"{summary['not_utf8']} / {summary['too_long']} |")
        out.append(f"| largest memory growth for one input (up to 10 MB) | {summary['peak_memory_growth_mb']} MB |")
        out.append(f"| CLI refusals one line, exit 2 | {'all' if summary['cli_one_line_exit_2'] else 'not all'} |")
    return out


def _headline(metrics: dict) -> str:
    if "languages" in metrics:
        return "; ".join(f"{language}: {_headline(values)}" for language, values in metrics["languages"].items())
    if "masked_piece_accuracy" in metrics:
        return f"masked pieces recovered {metrics['masked_piece_accuracy']:.4f}"
    if "accuracy" in metrics:
        return f"accuracy {metrics['accuracy']:.4f}"
    if "cer" in metrics:
        return f"CER {100 * metrics['beam']['cer']:.3f}%, exact {metrics['beam']['exact_match']:.4f}"
    if "attribute_accuracy" in metrics:
        return f"attribute accuracy {metrics['attribute_accuracy']:.4f}"
    if "bleu_4" in metrics.get("beam", {}):
        return f"BLEU-4 {metrics['beam']['bleu_4']:.4f}, exact {metrics['beam']['exact_match']:.4f}"
    return f"text-to-image R@1 {metrics['text_to_image']['recall_at_1']:.4f}"


def _never_trained_on(name: str, card: dict) -> str:
    """A model's figures on conditions outside its training distribution: held-out colour-shape
    pairs, another speech engine, a speaker left out."""
    figures = []
    if SPEECH_GENERALISATION.exists():
        results = json.loads(SPEECH_GENERALISATION.read_text())
        festival = results["shapes"].get(name, {}).get("festival")
        if festival and "cer" in festival:
            figures.append(f"Festival's voice: CER {100 * festival['cer']:.1f}%")
        elif festival:
            figures.append(f"Festival's voice: accuracy {festival['accuracy']:.3f}")
        if name == "speech_fsdd":
            recipe = results["fsdd"]["leave_one_speaker_out"]["speech_fsdd_recipe"]
            figures.append(f"a speaker left out: mean {sum(recipe.values()) / len(recipe):.3f}, "
                           f"worst {min(recipe.values()):.3f}")
    if "compositional" in card["metrics"]:
        figures.append("unseen colour-shape pairs: " + _headline(card["metrics"]["compositional"]))
    return "; ".join(figures) or "-"


def zoo_table():
    """One row per prebuilt model: what it does, its headline figure on the test split, on
    conditions it never trained on, its size, and a link to its card."""
    out = ["| model | task | test | never trained on | size | card |", "|---|---|---|---|---|---|"]
    for name in presets.list_presets():
        card = presets.model_card(name)
        size = sum(p.stat().st_size for p in presets.preset_dir(name).rglob("*") if p.is_file())
        out.append(f"| `{name}` | {card['task']['name'].replace('_', ' ')} | {_headline(card['metrics']['test'])} | "
                   f"{_never_trained_on(name, card)} | {size / 2**20:.1f} MB | "
                   f"[card](saved_models/{name}/README.md) |")
    return out


def trainer_and_serving_table():
    """The shared trainer against a plain `model.fit`, and the SavedModels' latency."""
    results = json.loads(TRAINER_AND_SERVING.read_text())
    out = [f"The shared trainer on `{results['preset']}`: {results['trainer_examples_per_second']:,} examples/s, "
           f"a plain `model.fit` on NumPy arrays {results['numpy_fit_examples_per_second']:,} "
           f"({results['trainer_over_numpy_fit']}x). SavedModel latency over raw bytes, p50 / p99 (ms):", "",
           "| SavedModel | batch 1 | batch 32 |", "|---|---|---|"]
    for name, figures in results["savedmodel_latency_ms"].items():
        if name == "this_run":
            continue
        one, many = figures["batch_1"], figures["batch_32"]
        out.append(f"| `{name}` | {one['p50']} / {one['p99']} | {many['p50']} / {many['p99']} |")
    return out


def replicas_table():
    results = json.loads(REPLICAS.read_text())
    out = ["| replicas | seed | global batch | test accuracy |", "|---|---|---|---|"]
    for run in results["runs"]:
        out.append(f"| {run['replicas']} | {run['seed']} | {run['global_batch_size']} | {run['test_accuracy']:.4f} |")
    out.append(f"| mean difference, 2 replicas minus 1 | | | {results['mean_difference_2_minus_1']:+.4f} |")
    return out


def data_pipeline_table():
    results = json.loads(DATA_PIPELINE.read_text())
    scenes = ", ".join(f"{split} {count:,}" for split, count in results["scenes"].items())
    return ["| Shapes World build | figure |", "|---|---|", f"| size `{results['size']}` | {scenes} scenes |",
            f"| build time | {results['build_seconds']} s on {results['machine']['cpus']} cores |",
            f"| cache on disk, with speech | {results['cache_megabytes']:,} MB |",
            f"| cached image-text examples read | {results['cached_examples_per_second']:,} per second |"]


def captioner_benchmark_table():
    results = json.loads(CAPTIONER_BENCHMARK.read_text())
    training = results["training"]
    out = [f"Training through the shared trainer: {training['examples_per_second']:,} examples/s "
           f"({training['steps']} steps from scratch, global batch {training['global_batch_size']}). "
           "SavedModel latency, p50 / p99 (ms):", "", "| decoding | batch 1 | batch 32 |", "|---|---|---|"]
    for method, figures in results["savedmodel_latency_ms"].items():
        out.append(f"| {method} | {figures['batch_1']['p50']} / {figures['batch_1']['p99']} | "
                   f"{figures['batch_32']['p50']} / {figures['batch_32']['p99']} |")
    return out


def speech_benchmark_table():
    results = json.loads(SPEECH_BENCHMARK.read_text())
    out = ["| preset | training, utterances/s | with waveform augmentation | beam p50 / p99 ms, RTF | "
           "greedy p50 / p99 ms, RTF |", "|---|---|---|---|---|"]
    for name, figures in results.items():
        if name == "machine":
            continue
        serving = figures["savedmodel_batch_1"]
        beam, greedy = serving["beam"], serving["greedy"]
        out.append(f"| `{name}` | {figures['training']['examples_per_second']} | "
                   f"{figures['training_waveform_augment']['examples_per_second']} | "
                   f"{beam['latency_ms_p50']} / {beam['latency_ms_p99']}, {beam['real_time_factor']} | "
                   f"{greedy['latency_ms_p50']} / {greedy['latency_ms_p99']}, {greedy['real_time_factor']} |")
    return out


def tokenizers_table():
    results = json.loads(TOKENIZERS.read_text())
    rates = results["captions_per_second"]
    out = ["| captions (English and Chinese) | compared | same pieces |", "|---|---|---|"]
    out += [f"| {name} | {figures['captions']:,} | {figures['identical']:,} |"
            for name, figures in results["same_pieces"].items()]
    out += ["", "| tokenizer | captions/s, batch 1 | captions/s, batch 256 |", "|---|---|---|"]
    out += [f"| `{name}` | {rates['batch_1'][name]:,} | {rates['batch_256'][name]:,} |" for name in rates["batch_1"]]
    return out


def text_pretraining_table():
    """The masked language model's pretraining, and what it is worth with few labels
    (`scripts/text_pretraining_experiments.py`)."""
    results = json.loads(TEXT_PRETRAINING.read_text())
    pretraining = results["pretraining"]
    test = pretraining["splits"]["test"]
    figures = [f"{language} {values['masked_piece_accuracy']:.4f}" for language, values in test["languages"].items()]
    out = [f"Pretraining ({pretraining['parameters']:,} parameters, {pretraining['config']['epochs']} epochs): masked "
           f"pieces recovered on test captions, {', '.join(figures)}.", "",
           "| model (both languages) | labelled pairs | from scratch | from the pretrained encoder | difference |",
           "|---|---|---|---|---|"]
    for model, started in results["started"].items():
        for point in started["curve"]:
            out.append(f"| {model.replace('_', ' ')}: {started['figure']} | {point['label_fraction']:.0%} | "
                       f"{point['scratch']['test']['mean']:.4f} | {point['pretrained']['test']['mean']:.4f} | "
                       f"{point['pretrained_minus_scratch_test']:+.4f} |")
    return out


def bilingual_table():
    """The bilingual prebuilt models through their SavedModels (`scripts/bilingual_savedmodel_metrics.py`)."""
    results = json.loads(BILINGUAL.read_text())
    matching, retrieval = results["matching"], results["retrieval"]
    out = ["| split | language | matching accuracy | text-to-image R@1 | R@5 |", "|---|---|---|---|---|"]
    for split in ("test", "compositional"):
        for language, name in (("en", "English"), ("zh", "Chinese")):
            found = retrieval[f"{split}_{language}"]["text_to_image"]
            out.append(f"| {split} | {name} | {matching[f'{split}_{language}']['accuracy']:.4f} | "
                       f"{found['recall_at_1']:.4f} | {found['recall_at_5']:.4f} |")
    out += ["", "| English test captions with | matching accuracy | text-to-image R@1 |", "|---|---|---|"]
    out.append(f"| no change | {matching['test_en']['accuracy']:.4f} | "
               f"{retrieval['test_en']['text_to_image']['recall_at_1']:.4f} |")
    for change, label in (("typo_swapped", "a letter swapped with the next"), ("typo_dropped", "a letter dropped"),
                          ("typo_doubled", "a letter doubled"), ("unseen_word", "a word never seen (\"shiny\")")):
        out.append(f"| {label} | {matching['test_en'][change]:.4f} | "
                   f"{retrieval['test_en'][change]['recall_at_1']:.4f} |")
    cross = retrieval["test_zh_to_en_captions"]
    out += ["", f"A Chinese test caption's nearest English caption (among {retrieval['pool']:,}) describes its scene: "
                f"R@1 {cross['recall_at_1']:.4f}, R@5 {cross['recall_at_5']:.4f}."]
    return out


TABLES = {
    "zoo": zoo_table,
    "prebuilt_classifiers": prebuilt_table,
    "fusion_ablations": ablation_table,
    "independent_renderer": independent_renderer_table,
    "captioner": captioner_table,
    "captioner_benchmark": captioner_benchmark_table,
    "recognisers": recogniser_table,
    "speech_generalisation": speech_generalisation_table,
    "speech_benchmark": speech_benchmark_table,
    "text_to_image": text_to_image_table,
    "distillation": distillation_table,
    "dual_encoder": dual_encoder_table,
    "accelerator": accelerator_table,
    "serving": serving_table,
    "trainer_and_serving": trainer_and_serving_table,
    "replicas": replicas_table,
    "data_pipeline": data_pipeline_table,
    "tokenizers": tokenizers_table,
    "text_pretraining": text_pretraining_table,
    "bilingual": bilingual_table,
}
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(r"(<!-- table: (\w+) -->\n)(.*?)(<!-- /table -->)", re.S)
_FIGURE = re.compile(r"(?<![\w.])(\d+\.\d+)(?![\w.]*\d)")
# Not figures: inline code, links, versions (1.0.10, Keras 3.15, "below 3.16").
_NOT_FIGURES = re.compile(r"`[^`\n]*`|\]\([^)]*\)|https?://\S+|\b\d+\.\d+\.\d+\b"
                          r"|\b(?:Keras|TensorFlow|TF|Python|below) \d+\.\d+")


def render(text: str) -> str:
    """The page with every table block written afresh."""
    def block(match):
        name = match.group(2)
        if name not in TABLES:
            raise KeyError(f"no table named {name!r} (known: {', '.join(TABLES)})")
        return match.group(1) + "\n".join(TABLES[name]()) + "\n" + match.group(4)
    return _BLOCK.sub(block, text)


def _numbers(value):
    if isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        yield float(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _numbers(item)
    elif isinstance(value, list):
        for item in value:
            yield from _numbers(item)


def source_numbers() -> list[float]:
    files = [*RESULTS.rglob("*.json")]
    for name in presets.list_presets():
        folder = presets.preset_dir(name)
        files += [*folder.glob("*.json"), *folder.glob("*/mmzoo.json")]
    numbers = set()
    for path in files:
        numbers.update(_numbers(json.loads(path.read_text())))
    return sorted(numbers)


def unsourced_figures(text: str, numbers=None) -> list[str]:
    """The decimal figures of a page's prose that neither a result file nor its tables hold."""
    numbers = source_numbers() if numbers is None else numbers
    tables = set(_FIGURE.findall(" ".join(match.group(3) for match in _BLOCK.finditer(text))))
    prose = _NOT_FIGURES.sub(" ", _BLOCK.sub(" ", text))
    missing = []
    for figure in _FIGURE.findall(prose):
        places = len(figure.split(".")[1])
        value = float(figure)
        if figure in tables or any(round(n, places) == value or round(100 * n, places) == value for n in numbers):
            continue
        missing.append(figure)
    return missing


def stale_pages() -> list[str]:
    """What --check reports: pages whose blocks are stale, and figures without a source."""
    problems, numbers = [], source_numbers()
    for page in PAGES:
        text = page.read_text()
        if render(text) != text:
            problems.append(f"{page.relative_to(ROOT)}: tables out of date (run python scripts/docs_tables.py)")
        missing = unsourced_figures(text, numbers)
        if missing:
            problems.append(f"{page.relative_to(ROOT)}: figures no result file holds: {', '.join(missing)}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a page is stale")
    args = parser.parse_args()
    if not args.check:
        for page in PAGES:
            text = page.read_text()
            if render(text) != text:
                page.write_text(render(text))
                print(f"wrote {page.relative_to(ROOT)}")
    problems = stale_pages()
    print("\n".join(problems) or "every table and figure has its source")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
