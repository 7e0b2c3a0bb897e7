"""The bilingual prebuilt models measured through their exported SavedModels, as a client calls
them (PNG bytes and text in): image-text matching against one-attribute changes and text-to-image
retrieval among 1,000 scenes, in English and in Chinese, on `test` and `compositional`; a
Chinese caption finding its English twin; English captions with a typo (a letter swapped with
the next, dropped or doubled) and with a word the models never saw.

    python scripts/bilingual_savedmodel_metrics.py [--matching fusion_shapes_image_text_bilingual]
        [--retrieval dual_encoder_shapes_bilingual] [--out benchmarks/results/bilingual.json]
"""

import argparse
import json
import os
import random
from pathlib import Path

LANGUAGES = ("en", "zh")
TYPOS = ("swapped", "dropped", "doubled")
SPLITS = ("test", "compositional")


def typo(caption, kind, rng):
    """`caption` with one letter of one word of at least 4 letters swapped with the next,
    dropped or doubled (none of these leaves the word as it was)."""
    words = caption.split()
    candidates = [i for i, word in enumerate(words) if len(word) >= 4 and len(set(word)) > 1]
    index = rng.choice(candidates)
    word = words[index]
    if kind == "swapped":
        spots = [p for p in range(len(word) - 1) if word[p] != word[p + 1]]
        p = rng.choice(spots)
        word = word[:p] + word[p + 1] + word[p] + word[p + 2:]
    elif kind == "dropped":
        p = rng.randrange(len(word))
        word = word[:p] + word[p + 1:]
    else:
        p = rng.randrange(len(word))
        word = word[:p] + word[p] + word[p:]
    return " ".join(words[:index] + [word] + words[index + 1:])


def with_unseen_word(caption):
    """An adjective the captions never use before the first object's size: read as pieces."""
    return caption.replace("a ", "a shiny ", 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--matching", default="fusion_shapes_image_text_bilingual")
    parser.add_argument("--retrieval", default="dual_encoder_shapes_bilingual")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "benchmarks" / "results"
                        / "bilingual.json")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    import tensorflow as tf

    from mmzoo import presets
    from mmzoo.data import views
    from mmzoo.evaluation.retrieval import RETRIEVAL_POOL, recall_at_k, retrieval_metrics

    def png(images):
        return tf.constant([tf.io.encode_png(image).numpy() for image in np.round(images * 255).astype(np.uint8)])

    def in_batches(function, *columns, size=200):
        outputs = [function(*(column[start:start + size] for column in columns))
                   for start in range(0, len(columns[0]), size)]
        return np.concatenate(outputs)

    results = {"seed": args.seed}
    matching = presets.load_serving(args.matching).signatures["serving_default"]
    results["matching"] = {"preset": args.matching, "version": presets.serving_dir(args.matching).name}

    def match(images, texts):
        return matching(image=images, text=tf.constant(texts))["class_id"].numpy()

    for split in SPLITS:
        for language in LANGUAGES:
            images, texts, labels = [], [], []
            for features, target in views.image_text_matching(split, 500, shuffle=False, language=language):
                images.append(png(features["image"].numpy()))
                texts += [t.decode() for t in features["text"].numpy()]
                labels.append(target.numpy())
            images, labels = tf.concat(images, 0), np.concatenate(labels)
            right = in_batches(match, images, texts) == labels
            figures = {"pairs": len(texts), "accuracy": round(float(np.mean(right)), 4)}
            if language == "en" and split == "test":
                rng = random.Random(args.seed)
                for kind in TYPOS:
                    changed = [typo(t, kind, rng) for t in texts]
                    figures[f"typo_{kind}"] = round(float(np.mean(in_batches(match, images, changed) == labels)), 4)
                figures["unseen_word"] = round(float(np.mean(
                    in_batches(match, images, [with_unseen_word(t) for t in texts]) == labels)), 4)
            results["matching"][f"{split}_{language}"] = figures

    retrieval = presets.load_serving(args.retrieval).signatures
    results["retrieval"] = {"preset": args.retrieval, "version": presets.serving_dir(args.retrieval).name,
                            "pool": RETRIEVAL_POOL}

    def embed_text(texts):
        return retrieval["embed_text"](text=tf.constant(texts))["embedding"].numpy()

    for split in SPLITS:
        texts, references, image_embeddings = {}, {}, None
        for language in LANGUAGES:
            images, texts[language], references[language] = [], [], []
            for features, _ in views.image_caption_pairs(split, 500, shuffle=False, with_references=True,
                                                         language=language):
                images.append(png(features["image"].numpy()))
                texts[language] += [t.decode() for t in features["text"].numpy()]
                references[language] += [{r.decode() for r in row if r} for row in features["references"].numpy()]
                if len(texts[language]) >= RETRIEVAL_POOL:
                    break
            texts[language] = texts[language][:RETRIEVAL_POOL]
            references[language] = references[language][:RETRIEVAL_POOL]
            if image_embeddings is None:  # the same scenes in both languages
                image_embeddings = in_batches(lambda i: retrieval["embed_image"](image=i)["embedding"].numpy(),
                                              tf.concat(images, 0)[:RETRIEVAL_POOL])
            text_embeddings = in_batches(embed_text, texts[language])
            figures = retrieval_metrics(image_embeddings, text_embeddings, texts[language], references[language])
            if language == "en" and split == "test":
                rng = random.Random(args.seed)
                for kind in TYPOS:
                    changed = in_batches(embed_text, [typo(t, kind, rng) for t in texts["en"]])
                    figures[f"typo_{kind}"] = retrieval_metrics(image_embeddings, changed, texts["en"],
                                                                references["en"])["text_to_image"]
                unseen = in_batches(embed_text, [with_unseen_word(t) for t in texts["en"]])
                figures["unseen_word"] = retrieval_metrics(image_embeddings, unseen, texts["en"],
                                                           references["en"])["text_to_image"]
            results["retrieval"][f"{split}_{language}"] = figures
        # Cross-lingual: a Chinese caption's nearest English caption describes the same scene.
        chinese, english = in_batches(embed_text, texts["zh"]), in_batches(embed_text, texts["en"])
        same_scene = np.array([[texts["en"][j] in references["en"][i] for j in range(len(texts["en"]))]
                               for i in range(len(texts["zh"]))])
        results["retrieval"][f"{split}_zh_to_en_captions"] = recall_at_k(chinese @ english.T, same_scene)
    print(json.dumps(results, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
