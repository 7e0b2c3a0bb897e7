"""Transcription metrics of the shipped recognisers computed through their exported
SavedModels (WAV bytes in, transcript out; beam search and greedy), and whether an utterance
sent at 8 kHz and at 44.1 kHz is transcribed alike.

    python scripts/speech_savedmodel_metrics.py [--presets speech_shapes speech_fsdd]
        [--out benchmarks/results/speech_savedmodel.json]

Each split's waveforms (16 kHz) are sent as 16 kHz WAV files; for the sample-rate check, the
same waveforms resampled (band-limited interpolation) to 8 kHz and to 44.1 kHz. The file
keeps the figures of presets not named this time.
"""

import argparse
import json
import os
from pathlib import Path

SPLITS = {"speech_shapes": ("test", "compositional"), "speech_fsdd": ("test",)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presets", nargs="+", default=list(SPLITS))
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "benchmarks" / "results"
                        / "speech_savedmodel.json")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    from mmzoo import presets
    from mmzoo.data import preprocessing
    from mmzoo import registry
    from mmzoo.evaluation.speech import transcribe_wavs as transcribe
    from mmzoo.evaluation.speech import transcription_metrics

    def wav_at(waveform, rate):
        resampled = preprocessing.resample(tf.constant(waveform), preprocessing.SAMPLE_RATE, rate)
        return tf.audio.encode_wav(tf.clip_by_value(resampled, -1.0, 1.0)[:, None], rate).numpy()

    # The presets not measured this time keep their figures from the file.
    results = json.loads(args.out.read_text()) if args.out.exists() else {}
    for preset in args.presets:
        config = registry.PRESETS[preset]
        signatures = presets.load_serving(preset).signatures
        results[preset] = {"version": presets.serving_dir(preset).name}
        for split in SPLITS[preset]:
            waveforms, references = [], []
            for features, transcripts in registry.get_task(config.task).view(split, batch_size=256, shuffle=False,
                                                                           **config.data_args):
                waveforms += [a[:n] for a, n in zip(features["audio"].numpy(), features["audio_length"].numpy())]
                references += [t.decode() for t in transcripts.numpy()]
            wavs = [wav_at(w, preprocessing.SAMPLE_RATE) for w in waveforms]
            figures = {method: transcription_metrics(transcribe(signatures[name], wavs), references)
                       for method, name in (("beam", "serving_default"), ("greedy", "greedy"))}
            at_8k = transcribe(signatures["serving_default"], [wav_at(w, 8000) for w in waveforms])
            at_44k = transcribe(signatures["serving_default"], [wav_at(w, 44100) for w in waveforms])
            figures["sample_rates"] = {
                "same_transcript_8k_and_44k": sum(a == b for a, b in zip(at_8k, at_44k)) / len(waveforms),
                "beam_8k": transcription_metrics(at_8k, references),
                "beam_44k": transcription_metrics(at_44k, references)}
            results[preset][split] = figures
            print(preset, split, json.dumps(figures), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
