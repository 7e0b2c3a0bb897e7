"""Caption metrics against all reference captions: BLEU-1 to BLEU-4 and CIDEr-D as the COCO
caption evaluation computes them (pycocoevalcap's scorers), and exact match (the caption is
one of the references).

Captions are compared as lower-case words without punctuation (the zoo's vectorizers
standardise text the same way), so the Java PTB tokenizer of the COCO toolkit is not needed.
"""

from __future__ import annotations

import re


def normalise(caption: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", caption.lower()).split())


def caption_metrics(predictions, references) -> dict:
    """`predictions`: one caption per image; `references`: a list of captions per image."""
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider

    if len(predictions) != len(references) or not predictions:
        raise ValueError(f"predictions: {len(predictions)} captions for {len(references)} reference lists")
    truths = {i: [normalise(r) for r in refs if r.strip()] for i, refs in enumerate(references)}
    empty = [i for i, refs in truths.items() if not refs]
    if empty:
        raise ValueError(f"references: images {empty[:5]} have no reference caption")
    # The scorers refuse an empty hypothesis; an empty caption scores as a word no reference has.
    guesses = {i: [normalise(p) or "<empty>"] for i, p in enumerate(predictions)}
    bleu, _ = Bleu(4).compute_score(truths, guesses, verbose=0)
    cider, _ = Cider().compute_score(truths, guesses)
    exact = sum(guesses[i][0] in truths[i] for i in truths) / len(truths)
    return {**{f"bleu_{n}": float(b) for n, b in enumerate(bleu, start=1)}, "cider": float(cider),
            "exact_match": float(exact), "examples": len(predictions)}
