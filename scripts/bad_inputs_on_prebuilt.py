"""The bad-input corpus (`tests/bad_inputs.py`) through every signature of every prebuilt
SavedModel, each model in its own process, and through the CLI: each case's outcome against
what it should be, the memory a single input costs, and the CLI's one-line refusals.

    python scripts/bad_inputs_on_prebuilt.py [--out benchmarks/results/bad_inputs.json] [--names NAME ...]

`--names`: only these models, their reports replacing theirs in the result file (the CLI's
refusals and the summary written again).

Per model: cases answered and refused as expected, any that were not (with the message),
any refusal that was not valid UTF-8 (`UnicodeDecodeError`) or longer than 300 characters,
and the largest growth of the process's resident memory over the loaded model while it
answered or refused one input (inputs of up to a few MB: the pixel-limit PNG, 60 s WAVs).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ONE_MODEL = r'''
import json, re, sys, gc
import tensorflow as tf
import tensorflow_text  # noqa: F401  (TF Serving has the TF Text ops)
sys.path.insert(0, sys.argv[3])
from tests import bad_inputs
from mmzoo.export import serving

def resident_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

loaded = tf.saved_model.load(sys.argv[1])
valid = json.loads(open(sys.argv[2]).read())
report = {"signatures": {}, "unexpected": [], "not_utf8": [], "too_long": [], "cases": 0}
for signature_name, function in loaded.signatures.items():
    specs = function.structured_input_signature[1]
    good = {k: ([v.encode("latin-1") for v in valid[k]] if k in valid else list(range(2))) for k in specs}
    function(**{k: tf.constant(v, specs[k].dtype) for k, v in good.items()})  # traced and warm
    gc.collect()
    base = resident_mb()
    peak = 0.0
    for input_name, name, data, expected in bad_inputs.corpus(sys.argv[4]) + bad_inputs.large_cases():
        if input_name not in specs:
            continue
        if name in ("caption", "caption_shouted"):  # the model's words, in other forms
            data = good["text"][0] if name == "caption" else good["text"][0].upper() + b"!"
        request = {k: tf.constant([v[0], data if k == input_name else v[1]], specs[k].dtype) for k, v in good.items()}
        report["cases"] += 1
        try:
            function(**request)
            outcome = bad_inputs.ANSWER
        except tf.errors.InvalidArgumentError as error:
            refused, problem = serving.input_error(error.message, sorted(specs))
            outcome = f"{refused}: {problem}"
            if len(problem) > 300:
                report["too_long"].append(f"{signature_name} {input_name}/{name}")
            ok = expected != bad_inputs.ANSWER and refused == input_name and re.search(expected, problem) \
                and "(item 1 of the batch)" in problem
        except UnicodeDecodeError:
            report["not_utf8"].append(f"{signature_name} {input_name}/{name}")
            continue
        if outcome == bad_inputs.ANSWER:
            ok = expected == bad_inputs.ANSWER
        if not ok:
            report["unexpected"].append({"case": f"{signature_name} {input_name}/{name}", "expected": expected,
                                         "got": outcome[:300]})
        peak = max(peak, resident_mb() - base)
    report["signatures"][signature_name] = {"peak_memory_growth_mb": round(peak, 1)}
print(json.dumps(report))
'''


def valid_inputs(name):
    """Two test examples of the model's own task, as raw request lists (latin-1 text for JSON)."""
    from mmzoo import registry
    from mmzoo.export import serving

    config = registry.PRESETS[name]
    task = registry.get_task(config.task)
    features, _ = next(iter(task.view("test", batch_size=2, shuffle=False, **config.data_args)))
    names = [key for key in serving.RAW_INPUTS if key in features]
    raw = serving.encode_raw_inputs(features, names)
    return {key: [value.decode("latin-1") for value in values[:2]] for key, values in raw.items()}


def cli_refusals(scratch):
    """`mmzoo predict` on a few refused files: one line each, exit 2."""
    from tests import bad_inputs

    cases = {("speech_fsdd", "audio"): ("truncated", "mp3_like", "stereo", "ten_milliseconds"),
             ("captioner_shapes", "image"): ("random_bytes", "png_truncated", "too_many_pixels", "one_pixel")}
    corpus = {(input_name, name): data for input_name, name, data, _ in bad_inputs.corpus()}
    results = []
    for (model, input_name), names in cases.items():
        for name in names:
            path = Path(scratch) / f"{name}.bin"
            path.write_bytes(corpus[(input_name, name)])
            answer = subprocess.run([sys.executable, "-m", "mmzoo.cli", "predict", model, f"--{input_name}",
                                     str(path)], capture_output=True, text=True, timeout=600, cwd=ROOT)
            results.append({"model": model, "case": f"{input_name}/{name}", "exit": answer.returncode,
                            "stderr_lines": answer.stderr.count("\n"), "message": answer.stderr.strip()[:300]})
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "bad_inputs.json")
    parser.add_argument("--names", nargs="+", help="default: every prebuilt model")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from mmzoo import presets, registry

    results = json.loads(args.out.read_text()) if args.names else {"models": {}}
    with tempfile.TemporaryDirectory() as scratch:
        for name in args.names or presets.list_presets():
            config = registry.PRESETS[name]
            tokenizer = "wordpiece" if config.model_args.get("tokenizer") == "wordpiece" or \
                config.model == "masked_language_model" else "words"
            valid = Path(scratch) / f"{name}.json"
            valid.write_text(json.dumps(valid_inputs(name)))
            script = Path(scratch) / "one_model.py"
            script.write_text(ONE_MODEL)
            answer = subprocess.run([sys.executable, str(script), str(presets.serving_dir(name)), str(valid),
                                     str(ROOT), tokenizer], capture_output=True, text=True, timeout=1800)
            if answer.returncode != 0:
                results["models"][name] = {"crashed": answer.stderr[-1000:]}
            else:
                results["models"][name] = {"version": presets.serving_dir(name).name,
                                           **json.loads(answer.stdout.strip().splitlines()[-1])}
            print(name, json.dumps(results["models"][name])[:400], flush=True)
        results["cli"] = cli_refusals(scratch)
    reports = results["models"].values()
    results["summary"] = {
        "cases": sum(r.get("cases", 0) for r in reports),
        "unexpected": sum(len(r.get("unexpected", [])) for r in reports),
        "not_utf8": sum(len(r.get("not_utf8", [])) for r in reports),
        "too_long": sum(len(r.get("too_long", [])) for r in reports),
        "crashed": [name for name, r in results["models"].items() if "crashed" in r],
        "peak_memory_growth_mb": max(s["peak_memory_growth_mb"] for r in reports
                                     for s in r.get("signatures", {}).values()),
        "cli_one_line_exit_2": all(c["exit"] == 2 and c["stderr_lines"] == 1 and
                                   re.match(r"mmzoo: error: (audio|image): ", c["message"]) for c in results["cli"]),
    }
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results["summary"], indent=2))


if __name__ == "__main__":
    main()
