"""Scoring a sequence decoder (a captioner, a recogniser) greedy and with a beam, on one split."""

from __future__ import annotations

import tensorflow as tf


def greedy_and_beam_metrics(batches, decode, score, beam_width, references_name):
    """What a sequence decoder makes of a split, greedy and with a beam: `batches` of (the
    decoder's inputs, their references), `decode(inputs, width)` -> [batch] strings,
    `score(outputs, references)` -> metrics. The greedy metrics, the beam's under "beam", and
    the first 20 samples."""
    decoders = {method: tf.function(lambda inputs, width=width: decode(inputs, width), reduce_retracing=True)
                for method, width in (("greedy", 1), ("beam", beam_width))}
    outputs = {method: [] for method in decoders}
    references = []
    for inputs, batch_references in batches:
        references += batch_references
        for method, decoder in decoders.items():
            outputs[method] += [output.decode() for output in decoder(inputs).numpy()]
    metrics = {method: score(outputs[method], references) for method in decoders}
    metrics["beam"]["beam_width"] = beam_width
    return {**metrics["greedy"], "beam": metrics["beam"],
            "samples": [{"greedy": g, "beam": b, references_name: r}
                        for g, b, r in list(zip(outputs["greedy"], outputs["beam"], references))[:20]]}

