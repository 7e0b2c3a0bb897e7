"""Speech recognition metrics: word and character error rates from jiwer (corpus level: the
errors of all utterances over all their reference words or characters), and the fraction of
utterances transcribed exactly (word accuracy, for single-word sets such as spoken digits)."""

from __future__ import annotations


def transcription_metrics(transcripts, references) -> dict:
    import jiwer

    if len(transcripts) != len(references) or not references:
        raise ValueError(f"transcripts: {len(transcripts)} for {len(references)} references")
    empty = [i for i, reference in enumerate(references) if not reference.strip()]
    if empty:
        raise ValueError(f"references: utterances {empty[:5]} have an empty reference")
    said = [" ".join(t.split()) for t in transcripts]
    truth = [" ".join(r.split()) for r in references]
    return {"wer": float(jiwer.wer(truth, said)), "cer": float(jiwer.cer(truth, said)),
            "exact_match": sum(s == t for s, t in zip(said, truth)) / len(truth), "examples": len(truth)}


def transcribe_wavs(signature, wavs, batch_size=64) -> list[str]:
    """What a recogniser's SavedModel signature (WAV bytes in) transcribes, batch by batch."""
    import tensorflow as tf

    transcripts = []
    for start in range(0, len(wavs), batch_size):
        answer = signature(audio=tf.constant(wavs[start:start + batch_size]))
        transcripts += [t.decode() for t in answer["transcript"].numpy()]
    return transcripts
