"""Leave-one-speaker-out on FSDD: for each of its speakers, train the `speech_fsdd` preset's
recogniser on the other speakers and transcribe all 500 recordings of the one left out; write
each speaker's word accuracy (exact transcripts) and error rates.

    python scripts/fsdd_leave_one_speaker_out.py [--runs runs/fsdd_loso] [--synthetic-per-word N]
        [--model-args '{"waveform_augment": true, "normalization": "utterance"}']
        [--data-args '{"synthetic_voices": "wide", "synthetic_engines": ["espeak", "festival"]}']
        [--out benchmarks/results/fsdd_leave_one_speaker_out.json]

`--synthetic-per-word N` adds N eSpeak NG utterances of each digit word to each training set
(many synthetic voices, to widen the four human ones); `--data-args` chooses their voices and
engines (`mmzoo.data.views.synthetic_digit_words`).

Runs resume after a kill; a finished speaker is read back from its run's metrics.
"""

import argparse
import json
import os
from pathlib import Path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=Path, default=Path("runs") / "fsdd_loso")
    parser.add_argument("--speakers", nargs="+", default=None, help="default: every speaker in the folder")
    parser.add_argument("--synthetic-per-word", type=int, default=0, help="(the preset's own setting is ignored)")
    parser.add_argument("--model-args", type=json.loads, default={},
                        help='JSON changes to the preset\'s model_args, e.g. \'{"waveform_augment": true}\'')
    parser.add_argument("--data-args", type=json.loads, default={}, help="JSON changes to the preset's data_args")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "benchmarks" / "results"
                        / "fsdd_leave_one_speaker_out.json")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from mmzoo.data import fsdd, readers, speech_synthesis
    from mmzoo.registry import PRESETS
    from mmzoo.config import TrainConfig
    from mmzoo.training.trainer import train

    preset = PRESETS["speech_fsdd"]
    fsdd_dir = preset.data_args.get("fsdd_dir") or fsdd.recordings_dir()
    speakers = args.speakers or sorted({e["speaker"] for e in readers.FsddReader(fsdd_dir).entries})
    results = {"preset": "speech_fsdd", "model_args": {**preset.model_args, **args.model_args}, "epochs": preset.epochs,
               "synthetic_per_word": args.synthetic_per_word, "data_args": args.data_args, "speakers": {}}
    if "mbrola" in args.data_args.get("synthetic_engines", ()):
        results["mbrola_voices"] = speech_synthesis.mbrola_voices()  # what was installed is what was heard
    for speaker in speakers:
        config = TrainConfig.from_dict({**preset.to_dict(), "model_args": {**preset.model_args, **args.model_args},
                                        "data_args": {**preset.data_args, **args.data_args,
                                                      "held_out_speaker": speaker,
                                                      "synthetic_per_word": args.synthetic_per_word}})
        run_dir = args.runs / speaker
        finished = run_dir / "metrics.json"
        metrics = json.loads(finished.read_text()) if finished.exists() else train(config, run_dir, verbose=2)
        test = metrics["splits"]["test"]
        results["speakers"][speaker] = {
            "word_accuracy": test["beam"]["exact_match"], "word_accuracy_greedy": test["exact_match"],
            "wer": test["beam"]["wer"], "cer": test["beam"]["cer"], "recordings": test["examples"]}
        print(speaker, json.dumps(results["speakers"][speaker]), flush=True)
    accuracies = [figures["word_accuracy"] for figures in results["speakers"].values()]
    results["mean_word_accuracy"] = sum(accuracies) / len(accuracies)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
