"""TF Text's two WordPiece tokenizers on Shapes World captions, English and Chinese: whether they
give the same pieces, and how fast each runs in a graph, in one run on one machine.

    python benchmarks/tokenizers.py [--out benchmarks/results/tokenizers.json]

`BertTokenizer` (what `WordPieceVectorization` uses: lower-casing, BERT's pre-tokenization,
then WordPiece) against `FastWordpieceTokenizer` in its end-to-end mode after TF Text's
`case_fold_utf8` (the same lower-casing). The vocabulary is learned from the training captions
of both languages as the models learn it (`wordpiece.learn_vocabulary`); the captions compared
are test captions, their references and negatives, and the same with one letter of a word
swapped, dropped or doubled, and with characters no caption has.
"""

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import tensorflow as tf
import tensorflow_text as tf_text

from mmzoo.data import generation, shapes_world, wordpiece

ROOT = Path(__file__).resolve().parents[1]
SCENES = 2000
REPEATS = 30


def captions(split, scenes):
    texts = []
    for example in generation.shapes_world_chunk(0, split, 0, scenes, with_speech=False):
        texts += [*example["references"], *example["negatives"], *example["references_zh"], *example["negatives_zh"]]
    return texts


def with_typos(texts, rng):
    changed = []
    for text in texts:
        words = text.split()
        if len(words) < 2:
            continue
        k = int(rng.integers(1, len(words)))
        word = words[k]
        i = int(rng.integers(len(word)))
        kind = ("swap", "drop", "double")[len(changed) % 3]
        if kind == "swap" and len(word) > 1:
            i = min(i, len(word) - 2)
            word = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        elif kind == "drop" and len(word) > 1:
            word = word[:i] + word[i + 1:]
        else:
            word = word[:i] + word[i] + word[i:]
        changed.append(" ".join([*words[:k], word, *words[k + 1:]]))
    return changed


def rate(tokenize, texts, batch):
    batches = [tf.constant(texts[i:i + batch]) for i in range(0, len(texts) - batch + 1, batch)][:64]
    run = tf.function(lambda t: tokenize(t).flat_values)
    run(batches[0])  # trace
    seconds = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        for values in batches:
            run(values)
        seconds.append(time.perf_counter() - started)
    return round(len(batches) * batch / float(np.median(seconds)), 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "tokenizers.json"))
    args = parser.parse_args()
    vocabulary = wordpiece.learn_vocabulary(captions("train", SCENES))
    table = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(
        tf.constant(vocabulary), tf.range(len(vocabulary), dtype=tf.int64)), default_value=1)
    bert = tf_text.BertTokenizer(table, suffix_indicator=wordpiece.SUFFIX, token_out_type=tf.int64,
                                 unknown_token=wordpiece.UNK, lower_case=True)
    fast = tf_text.FastWordpieceTokenizer(vocabulary, suffix_indicator=wordpiece.SUFFIX, token_out_type=tf.int64,
                                          unknown_token=wordpiece.UNK, no_pretokenization=False)
    tokenizers = {"BertTokenizer": lambda t: bert.tokenize(t).merge_dims(-2, -1),
                  "FastWordpieceTokenizer": lambda t: fast.tokenize(tf_text.case_fold_utf8(t))}
    test = captions("test", SCENES // 4)
    rng = np.random.default_rng(0)
    unseen = [text.replace("红", "粉").replace("red", "pink") for text in test[:200]]
    compared = {"test captions": test, "with a typo": with_typos(test, rng),
                "unseen words and characters": unseen, "upper case": [text.upper() for text in test[:200]]}
    results = {"machine": {"platform": platform.platform(), "cpus": len(__import__("os").sched_getaffinity(0))},
               "vocabulary_size": len(vocabulary), "same_pieces": {}, "captions_per_second": {}}
    for name, texts in compared.items():
        pieces = [tokenize(tf.constant(texts)).to_list() for tokenize in tokenizers.values()]
        results["same_pieces"][name] = {"captions": len(texts), "identical": sum(a == b for a, b in zip(*pieces))}
    for batch in (1, 256):
        results["captions_per_second"][f"batch_{batch}"] = {
            name: rate(tokenize, test, batch) for name, tokenize in tokenizers.items()}
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
