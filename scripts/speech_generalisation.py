"""How the shipped audio models hear voices and rooms they never heard, through their SavedModels
(WAV bytes in), each figure beside its in-distribution twin; and the classic baseline (MFCC,
per-utterance normalisation, an SVC) on the same splits.

    python scripts/speech_generalisation.py [--captions 200] [--digit-voices 20]
        [--out benchmarks/results/speech_generalisation.json]
    python scripts/speech_generalisation.py --candidate speech_shapes=runs/speech_shapes \
        --out benchmarks/results/speech_generalisation_candidates.json

`--candidate NAME=RUN` measures a finished training run in place of the shipped NAME (exported to
a temporary folder, not the tree): the same figures before a model is shipped.

- other engines: Shapes test captions spoken by each engine of `speech_synthesis.ENGINES` installed
  here (Festival's LPC diphones, MBROLA's recorded diphones, Pico's HMMs) at random rates and
  pitches, beside the same captions in the test split's held-out eSpeak voices: `speech_shapes`
  (CER, WER) and `fusion_shapes_text_audio` (each recording against its caption and a
  one-attribute change; under noise and in the room too); digit words by each engine through
  `speech_fsdd` and the baseline trained on all of FSDD. `trained_on` names the engines each
  model heard in training (from its configuration): a figure on any other engine is one on an
  engine never heard.
- noise and rooms never trained on: the eSpeak test captions under babble (three other
  utterances) and mains hum at 20 and 10 dB SNR, in a room of sparse early reflections, and
  with 200 ms of silence before and after (as a recording has).
- earlier versions: a retrained model's figures before its current version (`earlier_figures`).
- FSDD leave-one-speaker-out: the baseline per held-out speaker, beside the `speech_fsdd` recipe
  (read from the benchmarks/results/fsdd_leave_one_speaker_out*.json whose model and data
  arguments are the preset's, which scripts/fsdd_leave_one_speaker_out.py writes).

An engine that is not installed (`speech_synthesis.ENGINES[name].missing()` says how to install
it) is left out, and the file says so under `shapes.engines`. The flite engine and the CMU ARCTIC
and kal voices are reserved for evaluation outside the project and are not used.
"""

import argparse
import json
import os
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results"
SEGMENTS = 10  # the baseline pools its MFCCs over this many equal stretches of an utterance
SNRS_DB = (20.0, 10.0)
SILENCE_SECONDS = 0.2
MODELS = ("speech_shapes", "speech_fsdd", "fusion_shapes_text_audio")


def mfcc_features(waveforms):
    """The baseline's features of float waveforms at 16 kHz: 13 MFCCs (25 ms every 10 ms),
    normalised per utterance, averaged over `SEGMENTS` equal stretches, and their overall spread."""
    from mmzoo.data.preprocessing import LogMelSpectrogram
    from mmzoo.layers.audio import MelCepstrum

    log_mel, cepstrum = LogMelSpectrogram(num_mel_bins=40), MelCepstrum(coefficients=13)
    rows = []
    for waveform in waveforms:
        mfcc = cepstrum(log_mel(waveform[None]))[0].numpy()
        mfcc = (mfcc - mfcc.mean(0)) / (mfcc.std(0) + 1e-5)
        stretches = np.array_split(mfcc, SEGMENTS) if len(mfcc) >= SEGMENTS else [mfcc] * SEGMENTS
        rows.append(np.concatenate([s.mean(0) for s in stretches] + [mfcc.std(0)]))
    return np.stack(rows)


def baseline_classifier():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    return make_pipeline(StandardScaler(), SVC(C=10.0))


def mix_at_snr(waveform, noise, snr_db):
    noise = np.resize(noise, waveform.shape)
    scale = np.sqrt(np.mean(waveform ** 2) / (np.mean(noise ** 2) + 1e-12) / 10 ** (snr_db / 10))
    return np.clip(waveform + scale * noise, -1.0, 1.0).astype("float32")


def conditions(waveforms, rng):
    """{condition: waveforms} that no model was trained on."""
    hum = sum(np.sin(2 * np.pi * 50 * k * np.arange(16000 * 7) / 16000) / k for k in (1, 2, 3, 5))
    reflections = np.zeros(1600)
    reflections[0] = 1.0
    reflections[rng.integers(80, 1600, size=12)] = rng.uniform(-0.6, 0.6, size=12)
    changed = {}
    for snr in SNRS_DB:
        babble = [sum(np.resize(waveforms[(i + k) % len(waveforms)], len(w)) for k in (1, 2, 3))
                  for i, w in enumerate(waveforms)]
        changed[f"babble_{snr:g}db"] = [mix_at_snr(w, b, snr) for w, b in zip(waveforms, babble)]
        changed[f"hum_{snr:g}db"] = [mix_at_snr(w, hum, snr) for w in waveforms]
    changed["early_reflections"] = [in_room(w, reflections) for w in waveforms]
    # A recording starts and ends in silence; the training engines speak from the first sample.
    silence = np.zeros(int(SILENCE_SECONDS * 16000), np.float32)
    changed[f"silence_{SILENCE_SECONDS * 1000:g}ms_each_side"] = [np.concatenate([silence, w, silence])
                                                                for w in waveforms]
    return changed


def in_room(waveform, response):
    """`waveform` convolved with a room's impulse `response`, at its own RMS level."""
    heard = np.convolve(waveform, response)[:len(waveform)]
    level = np.sqrt(np.mean(waveform ** 2) / (np.mean(heard ** 2) + 1e-12))
    return np.clip(heard * level, -1, 1).astype("float32")


def serving_loader(candidates):
    """`presets.load_serving`, except for the models named in `candidates` ({name: run folder}):
    each run exported to a temporary folder and loaded from there."""
    import tempfile

    from mmzoo import presets, saving
    from mmzoo.export.runs import export_run

    scratch = Path(tempfile.mkdtemp(prefix="mmzoo-candidates-"))
    exported = {name: export_run(run, scratch, name) for name, run in candidates.items()}
    return lambda name: saving.load_saved_model(exported[name]) if name in exported else presets.load_serving(name)


def trained_engines(name, candidates):
    """The synthesis engines whose speech model `name` (or its candidate run) was trained on, read
    from its training configuration: a figure on any other engine is one on an engine never heard."""
    from mmzoo import presets
    from mmzoo.config import TrainConfig

    folder = Path(candidates[name]) if name in candidates else presets.preset_dir(name)
    config = TrainConfig.load(folder / "config.json")
    engines = set(config.data_args.get("engine_shares", {}))
    if config.task.startswith("shapes_"):
        engines.add("espeak")
    if config.data_args.get("synthetic_per_word"):
        engines |= set(config.data_args.get("synthetic_engines", ["espeak"]))
    return sorted(engines)


def shapes_figures(count, rng, load_serving):
    import tensorflow as tf

    from mmzoo.data import preprocessing, speech_synthesis, views
    from mmzoo.evaluation.speech import transcribe_wavs, transcription_metrics

    records = list(views.shapes_world_records("test", "speech").take(count).as_numpy_iterator())
    captions = [r["caption"].decode() for r in records]
    negatives = [r["negatives"][int(rng.integers(len(r["negatives"])))].decode() for r in records]
    engines = {"espeak_held_out_voices": [r["audio"] for r in records]}
    # Festival draws from the main stream and the engines measured since from spawned ones (which
    # leave the main stream as it was), so that earlier result files' figures stay comparable.
    for name, engine in speech_synthesis.ENGINES.items():
        if engine.missing() is None:
            engine_rng = rng if name == "festival" else rng.spawn(1)[0]
            voices = [engine.sample_voice(engine_rng) for _ in captions]
            engines[name] = [engine.speak(c, v) for c, v in zip(captions, voices)]
    engines.update(conditions(engines["espeak_held_out_voices"], rng))

    def wavs(waveforms):
        return [preprocessing.encode_wav(w).numpy() for w in waveforms]

    recogniser = load_serving("speech_shapes").signatures["serving_default"]
    matcher = load_serving("fusion_shapes_text_audio").signatures["serving_default"]
    figures = {"captions": count, "engines": {name: engine.missing() or "used"
                                              for name, engine in speech_synthesis.ENGINES.items()},
               "speech_shapes": {}, "fusion_shapes_text_audio": {}}
    for condition, waveforms in engines.items():
        audio = wavs(waveforms)
        figures["speech_shapes"][condition] = transcription_metrics(transcribe_wavs(recogniser, audio), captions)
        right = 0
        for texts, label in ((captions, 1), (negatives, 0)):
            for start in range(0, count, 64):
                answer = matcher(text=tf.constant(texts[start:start + 64]), audio=tf.constant(audio[start:start + 64]))
                right += int(np.sum(answer["class_id"].numpy() == label))
        figures["fusion_shapes_text_audio"][condition] = {"accuracy": right / (2 * count), "pairs": 2 * count}
        print(condition, json.dumps({k: v.get(condition) for k, v in figures.items() if k in MODELS}),
              flush=True)
    return figures


def fsdd_figures(fsdd_dir, digit_voices, rng, load_serving):
    from mmzoo import registry
    from mmzoo.data import preprocessing, readers, speech_synthesis
    from mmzoo.evaluation.speech import transcribe_wavs

    entries = readers.FsddReader(fsdd_dir).entries
    waveforms = [entry["audio"] for entry in readers.FsddReader(fsdd_dir)]
    speakers = np.array([entry["speaker"] for entry in entries])
    features, labels = mfcc_features(waveforms), np.array([entry["label"] for entry in entries])
    loso = {}
    for speaker in sorted(set(speakers)):
        held_out = speakers == speaker
        classifier = baseline_classifier().fit(features[~held_out], labels[~held_out])
        loso[speaker] = float(np.mean(classifier.predict(features[held_out]) == labels[held_out]))
    # The recipe's own figures: the run with the shipped preset's model and data arguments.
    preset = registry.preset_config("speech_fsdd")
    runs = [json.loads(path.read_text()) for path in sorted(RESULTS.glob("fsdd_leave_one_speaker_out*.json"))]
    zoo = next((run for run in runs if run.get("model_args") == preset.model_args and preset.data_args == {
        **run.get("data_args", {}), "synthetic_per_word": run.get("synthetic_per_word", 0)}), {})
    figures = {"leave_one_speaker_out": {
        "baseline_mfcc_svc": {"speakers": loso, "mean": float(np.mean(list(loso.values()))),
                              "worst": min(loso.values())},
        "speech_fsdd_recipe": {speaker: values["word_accuracy"]
                               for speaker, values in zoo.get("speakers", {}).items()}}}
    classifier = baseline_classifier().fit(features, labels)
    recogniser = load_serving("speech_fsdd").signatures["serving_default"]
    for name, engine in speech_synthesis.ENGINES.items():
        if engine.missing() is not None:
            figures[f"{name}_digits"] = engine.missing()
            continue
        engine_rng = rng if name == "festival" else rng.spawn(1)[0]  # as in shapes_figures
        spoken = [(word, engine.speak(word, engine.sample_voice(engine_rng)))
                  for word in readers.DIGIT_WORDS for _ in range(digit_voices)]
        said = transcribe_wavs(recogniser, [preprocessing.encode_wav(w).numpy() for _, w in spoken])
        guessed = classifier.predict(mfcc_features([w for _, w in spoken]))
        figures[f"{name}_digits"] = {
            "words": len(spoken),
            "speech_fsdd_word_accuracy": float(np.mean([s == w for s, (w, _) in zip(said, spoken)])),
            "baseline_mfcc_svc_accuracy": float(np.mean([readers.DIGIT_WORDS[g] == w
                                                         for g, (w, _) in zip(guessed, spoken)]))}
    print("fsdd", json.dumps(figures), flush=True)
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--captions", type=int, default=200)
    parser.add_argument("--digit-voices", type=int, default=20, help="voices per digit word, of each engine")
    parser.add_argument("--fsdd", type=Path, default=None, help="default: mmzoo.data.fsdd.recordings_dir()")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS / "speech_generalisation.json")
    parser.add_argument("--candidate", action="append", default=[], metavar="NAME=RUN",
                        help="measure this finished run in place of the shipped model NAME (repeatable)")
    args = parser.parse_args()
    candidates = dict(item.split("=", 1) for item in args.candidate)
    unknown = set(candidates) - set(MODELS)
    if unknown or any("=" not in item for item in args.candidate):
        parser.error(f"--candidate: NAME=RUN with NAME one of {MODELS}, got {args.candidate}")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from mmzoo import presets
    from mmzoo.data import fsdd

    rng = np.random.default_rng(args.seed)
    load_serving = serving_loader(candidates)
    results = {"seed": args.seed,
               "versions": {name: f"candidate {candidates[name]}" if name in candidates else
                            presets.serving_dir(name).name for name in MODELS},
               "trained_on": {name: trained_engines(name, candidates) for name in MODELS},
               "shapes": shapes_figures(args.captions, rng, load_serving),
               "fsdd": fsdd_figures(args.fsdd or fsdd.recordings_dir(), args.digit_voices, rng, load_serving)}
    results["earlier"] = earlier_figures(args.out, results)
    args.out.write_text(json.dumps(results, indent=2) + "\n")


def _figures_of(results, name):
    return results["fsdd"].get("festival_digits") if name == "speech_fsdd" else results["shapes"][name]


def earlier_figures(path, results):
    """The figures of the models' earlier versions, from the result file this run replaces:
    {"speech_shapes 1": {condition: figures}, ...}. A version whose figures differ from this
    run's moves there, so a retrained model's before and after stay side by side (a version
    exported again from the same weights measures the same and is not kept)."""
    if not path.exists():
        return {}
    previous = json.loads(path.read_text())
    earlier = dict(previous.get("earlier", {}))
    for name, version in previous.get("versions", {}).items():
        if version != results["versions"].get(name) and _figures_of(previous, name) != _figures_of(results, name):
            earlier[f"{name} {version}"] = _figures_of(previous, name)
    return earlier


if __name__ == "__main__":
    main()
