"""The tasks the trainer knows. A task says what a model of it is trained and judged on:

    name, splits
    dataset(split, batch_size, shuffle=, drop_remainder=, inputs=, **data_args) -> tf.data of (features, target)
    count(split, **data_args) -> examples in the split
    builder_arguments(model_args, data_args) -> what the model builder needs from the task
    compile_arguments(model) -> loss and metrics for `compile` ({} for a model with its own train_step)
    evaluate(model, split, batch_size, **data_args) -> metrics of the split (a dict)

`register_task` adds one (a later architecture, or your own data).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Callable

import tensorflow as tf

from mmzoo.data import build, preprocessing, tasks as views
from mmzoo.data.readers import DIGIT_WORDS
from mmzoo.evaluation.captioning import caption_metrics
from mmzoo.evaluation import retrieval
from mmzoo.evaluation.classification import evaluate_classifier
from mmzoo.export import serving
from mmzoo.evaluation.speech import transcription_metrics
from mmzoo.models import captioner, distillation, generator, judge, speech, teacher_forcing

TEXT_SEQUENCE_LENGTH = 16


def _counted_view(task, split, batch_size, shuffle, drop_remainder, data_args, inputs=None):
    """A task's view of a split, of known length: Keras then shows progress against it and
    validates without running dry. `inputs`: keep only these features (a unimodal ablation's
    model, or one tower, takes fewer inputs than the task has)."""
    if split not in task.splits:
        raise ValueError(f"split: {split!r} is not one of {task.splits} for {task.name}")
    dataset = task.view(split, batch_size=batch_size, shuffle=shuffle, drop_remainder=drop_remainder, **data_args)
    examples = task.count(split, **data_args)
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(
        examples // batch_size if drop_remainder else -(-examples // batch_size)))
    if inputs is None:
        return dataset
    return dataset.map(lambda features, target: ({name: features[name] for name in inputs}, target))


def _data_key(task_name, data_args):
    return task_name, json.dumps(data_args, sort_keys=True)


@dataclasses.dataclass(frozen=True)
class ClassificationTask:
    name: str
    description: str
    modalities: tuple
    class_names: tuple
    image_shape: tuple | None
    view: Callable  # (split, batch_size=..., shuffle=..., drop_remainder=..., **data_args)
    count: Callable  # (split, **data_args) -> examples in the split
    splits: tuple = ("train", "validation", "test")

    def dataset(self, split, batch_size, shuffle=None, drop_remainder=False, inputs=None, **data_args):
        """Batches of (features, label); `inputs`: see `_counted_view`."""
        return _counted_view(self, split, batch_size, shuffle, drop_remainder, data_args, inputs)

    def builder_arguments(self, model_args, data_args) -> dict:
        """The modalities (a subset for an ablation), classes, image shape, and a text vectorizer
        adapted on the training captions when text is read."""
        modalities = tuple(model_args.get("modalities", self.modalities))
        vectorizer = shapes_text_vectorizer(data_args) if "text" in modalities else None
        return {"modalities": modalities, "num_classes": len(self.class_names), "vectorizer": vectorizer,
                "image_shape": self.image_shape or (64, 64, 3)}

    def compile_arguments(self, model) -> dict:
        return {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}

    def serving_signatures(self, model) -> dict:
        """What the exported SavedModel answers: class probabilities, id, name and score."""
        postprocess = serving.classification_outputs(self.class_names)
        return {"serving_default": lambda features: postprocess(model(features, training=False))}

    def exported_model(self, model):
        """What ships: the classifier; from a distiller, its student (the teacher stays behind)."""
        return distillation.student_of(model)

    def evaluate(self, model, split, batch_size, **data_args) -> dict:
        model = self.exported_model(model)
        inputs = [tensor.name for tensor in model.inputs]
        dataset = self.dataset(split, batch_size, shuffle=False, inputs=inputs, **data_args)
        return evaluate_classifier(model, dataset, self.class_names)


CAPTION_BEAM_WIDTH = 4
MAX_CAPTION_WORDS = 40  # longer captions are cut (and lose their end token)
CAPTION_LENGTH_PENALTY = 0.6
_caption_vectorizers = {}


@dataclasses.dataclass(frozen=True)
class CaptioningTask:
    """Image to caption. The dataset gives the model the image and the caption it reads
    (teacher forcing) and, as the target, the caption's word ids and end token; evaluation
    decodes in the graph (greedy and beam search) and scores against every reference."""

    name: str
    description: str
    view: Callable  # (split, batch_size=..., shuffle=..., drop_remainder=..., with_references=..., **data_args)
    count: Callable  # (split, **data_args) -> examples in the split
    training_captions: Callable  # (**data_args) -> the captions the vectorizer adapts on
    max_words: int | None = None  # the longest caption the vectorizer keeps; None: the longest in training
    image_shape: tuple | None = (64, 64, 3)  # None: data_args["image_size"]
    splits: tuple = ("train", "validation", "test")
    modalities: tuple = ("image",)

    def vectorizer(self, **data_args):
        """Adapted once per data (the model and the dataset must share it)."""
        key = _data_key(self.name, data_args)
        if key not in _caption_vectorizers:
            captions = self.training_captions(**data_args)
            max_words = self.max_words or min(MAX_CAPTION_WORDS, max(len(c.split()) for c in captions))
            _caption_vectorizers[key] = preprocessing.text_vectorizer(
                captions, sequence_length=max_words + 1, on_unknown="unk", name="caption_vectorizer")
        return _caption_vectorizers[key]

    def dataset(self, split, batch_size, shuffle=None, drop_remainder=False, inputs=None, **data_args):
        targets = captioner.caption_targets(self.vectorizer(**data_args))
        dataset = _counted_view(self, split, batch_size, shuffle, drop_remainder, data_args)
        return dataset.map(lambda features, caption: (
            {"image": features["image"], "caption": caption}, targets(caption)))

    def builder_arguments(self, model_args, data_args) -> dict:
        image_shape = self.image_shape or tuple(data_args.get("image_size", (64, 64))) + (3,)
        return {"vectorizer": self.vectorizer(**data_args), "image_shape": image_shape}

    def compile_arguments(self, model) -> dict:
        import keras

        return {"loss": teacher_forcing.sequence_loss,
                "metrics": [keras.metrics.MeanMetricWrapper(teacher_forcing.next_token_accuracy, name="accuracy")]}

    def serving_signatures(self, model, beam_width=CAPTION_BEAM_WIDTH, length_penalty=CAPTION_LENGTH_PENALTY) -> dict:
        """`serving_default`: beam search of `beam_width`, length penalty alpha `length_penalty`;
        `greedy`: greedy decoding. Each gives per image the caption, its score (length-normalised
        log-probability) and log-probability."""
        decode = captioner.CaptionDecoder(model)

        def signature(width):
            def predict(features):
                decoded = decode(features["image"], beam_width=width, alpha=length_penalty)
                return {key: decoded[key] for key in ("caption", "score", "log_probability")}
            return predict

        return {"serving_default": signature(beam_width), "greedy": signature(1)}

    def evaluate(self, model, split, batch_size, **data_args) -> dict:
        """Greedy and beam-search captions of the split, scored against all references."""
        decode = captioner.CaptionDecoder(model)
        batches = ((features["image"], [[r.decode() for r in row if r] for row in features["references"].numpy()])
                   for features, _ in self.view(split, batch_size=batch_size, shuffle=False, with_references=True,
                                                **data_args))
        return _greedy_and_beam_metrics(
            batches, lambda images, width: decode(images, beam_width=width, alpha=CAPTION_LENGTH_PENALTY)["caption"],
            caption_metrics, CAPTION_BEAM_WIDTH, "references")


def _greedy_and_beam_metrics(batches, decode, score, beam_width, references_name):
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


TRANSCRIPTION_BEAM_WIDTH = 8
_alphabets = {}


@dataclasses.dataclass(frozen=True)
class SpeechRecognitionTask:
    """Waveform to transcript. The dataset gives the model the waveform and its length and, as
    the target, the transcript's character ids (padded with -1); evaluation decodes in the
    graph (CTC greedy and beam search) and scores word and character error rates."""

    name: str
    description: str
    view: Callable  # (split, batch_size=..., shuffle=..., drop_remainder=..., **data_args)
    count: Callable  # (split, **data_args) -> examples in the split
    training_transcripts: Callable  # (**data_args) -> what the alphabet is read from
    splits: tuple = ("train", "validation", "test")
    modalities: tuple = ("audio",)

    def characters(self, **data_args) -> list[str]:
        """The alphabet of the training transcripts, read once per data (dataset and model share it)."""
        key = _data_key(self.name, data_args)
        if key not in _alphabets:
            _alphabets[key] = sorted(set("".join(self.training_transcripts(**data_args))))
        return _alphabets[key]

    def dataset(self, split, batch_size, shuffle=None, drop_remainder=False, inputs=None, **data_args):
        """Batches of (features, character ids padded with -1); the features include the
        `transcript` string where `inputs` name it (an attention decoder reads it: teacher forcing)."""
        characters = self.characters(**data_args)
        table = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(tf.constant(characters), tf.range(len(characters))), default_value=-2)
        dataset = _counted_view(self, split, batch_size, shuffle, drop_remainder, data_args)

        def targets(transcripts):
            ids = table.lookup(tf.strings.unicode_split(transcripts, "UTF-8"))
            tf.debugging.assert_none_equal(ids.flat_values, -2, message="transcript: a character outside the "
                                           "alphabet of the training transcripts")
            return ids.to_tensor(default_value=-1)

        def with_targets(features, transcripts):
            if inputs and "transcript" in inputs:
                features = {**features, "transcript": transcripts}
            return features, targets(transcripts)

        return dataset.map(with_targets)

    def builder_arguments(self, model_args, data_args) -> dict:
        return {"characters": self.characters(**data_args)}

    def compile_arguments(self, model) -> dict:
        return {"loss": speech.loss_for(model)}

    def serving_signatures(self, model, beam_width=TRANSCRIPTION_BEAM_WIDTH) -> dict:
        """`serving_default`: beam search of `beam_width` (CTC's, or the attention decoder's);
        `greedy`: greedy decoding. Each gives the transcript and its score (its log-probability)."""
        transcriber = speech.Transcriber(model)

        def signature(width):
            return lambda features: transcriber(features["audio"], features["audio_length"], width)

        return {"serving_default": signature(beam_width), "greedy": signature(1)}

    def evaluate(self, model, split, batch_size, **data_args) -> dict:
        """Greedy and beam-search transcripts of the split: WER, CER, exact match."""
        transcriber = speech.Transcriber(model)
        batches = (((features["audio"], features["audio_length"]), [t.decode() for t in transcripts.numpy()])
                   for features, transcripts in self.view(split, batch_size=batch_size, shuffle=False, **data_args))
        return _greedy_and_beam_metrics(
            batches, lambda audio, width: transcriber(*audio, width)["transcript"], transcription_metrics,
            TRANSCRIPTION_BEAM_WIDTH, "reference")


@dataclasses.dataclass(frozen=True)
class SceneAttributesTask:
    """Image to the attributes of its objects (see `mmzoo.models.judge`): one softmax per
    attribute, in the judge's canonical order. Scored by attribute accuracy."""

    name: str
    description: str
    view: Callable  # (split, batch_size=..., shuffle=..., drop_remainder=..., **data_args)
    count: Callable
    splits: tuple = ("train", "validation", "test", "compositional")
    modalities: tuple = ("image",)

    def dataset(self, split, batch_size, shuffle=None, drop_remainder=False, inputs=None, **data_args):
        return _counted_view(self, split, batch_size, shuffle, drop_remainder, data_args)

    def builder_arguments(self, model_args, data_args) -> dict:
        return {"image_shape": (64, 64, 3)}

    def compile_arguments(self, model) -> dict:
        return {"loss": {name: "sparse_categorical_crossentropy" for name in judge.ATTRIBUTES},
                "metrics": {name: ["accuracy"] for name in judge.ATTRIBUTES}}

    def serving_signatures(self, model) -> dict:
        """The caption of what the judge reads (canonical order), and each attribute's value and
        probability."""
        def predict(features):
            probabilities = model(features, training=False)
            words = judge.attribute_words(probabilities)
            scores = {f"{name}_score": tf.reduce_max(probabilities[name], axis=-1) for name in judge.ATTRIBUTES}
            return {"caption": judge.describe_in_graph(words), **words, **scores}

        return {"serving_default": predict}

    def evaluate(self, model, split, batch_size, **data_args) -> dict:
        tally = judge.AttributeTally()
        for features, labels in self.dataset(split, batch_size, shuffle=False, **data_args):
            tally.add(judge.attributes_of_ids(labels), judge.read_attributes(model(features, training=False)))
        return tally.metrics()


@dataclasses.dataclass(frozen=True)
class RetrievalTask:
    """Image and caption into one space (a dual encoder, `mmzoo.models.dual_encoder`): the
    dataset pairs each scene's image with its caption, the target being the caption's id.
    Judged by recall@1/5/10 both ways among `retrieval.RETRIEVAL_POOL` scenes and by zero-shot
    attribute accuracy (`mmzoo.evaluation.retrieval`). Its SavedModel answers `serving_default`
    (the cosine similarity of each image and caption pair, and both embeddings), `embed_image`
    (encoded image bytes) and `embed_text` (text)."""

    name: str
    description: str
    view: Callable  # (split, batch_size=..., shuffle=..., drop_remainder=..., with_references=..., **data_args)
    count: Callable
    splits: tuple = ("train", "validation", "test", "compositional")
    modalities: tuple = ("image", "text")

    def dataset(self, split, batch_size, shuffle=None, drop_remainder=False, inputs=None, **data_args):
        return _counted_view(self, split, batch_size, shuffle, drop_remainder, data_args, inputs)

    def builder_arguments(self, model_args, data_args) -> dict:
        return {"vectorizer": shapes_text_vectorizer(data_args), "image_shape": (64, 64, 3)}

    def compile_arguments(self, model) -> dict:
        return {}  # the dual encoder computes its contrastive loss itself

    def serving_signatures(self, model) -> dict:
        def embeddings(features):
            outputs = model({"image": features["image"], "text": features["text"]}, training=False)
            similarity = tf.reduce_sum(outputs["image_embedding"] * outputs["text_embedding"], axis=-1)
            return {"similarity": similarity, "image_embedding": outputs["image_embedding"],
                    "text_embedding": outputs["text_embedding"]}

        return {"serving_default": embeddings,
                "embed_image": serving.Endpoint(lambda features: {"embedding": model.image_encoder(
                    features["image"], training=False)}, raw_inputs=("image",)),
                "embed_text": serving.Endpoint(lambda features: {"embedding": model.text_encoder(
                    features["text"], training=False)}, raw_inputs=("text",))}

    def evaluate(self, model, split, batch_size, **data_args) -> dict:
        dataset = views.image_caption_pairs(split, batch_size, shuffle=False, with_references=True, **data_args)
        images, texts, captions, references = retrieval.embed_dataset(model, dataset)
        return {**retrieval.retrieval_metrics(images, texts, captions, references),
                "zero_shot": retrieval.zero_shot_attributes(retrieval.text_embedder(model), images, captions)}


GENERATOR_EVALUATION_SEEDS = (0, 1, 2, 3)


@dataclasses.dataclass(frozen=True)
class TextToImageTask:
    """Caption to image (see `mmzoo.models.generator`). The dataset gives the model the caption,
    the scene's layout and a seed per example; the targets are the image and the layout.
    Generated images are scored by the prebuilt judge (`judge_preset`) against their captions."""

    name: str
    description: str
    view: Callable
    count: Callable
    splits: tuple = ("train", "validation", "test", "compositional")
    modalities: tuple = ("text",)
    judge_preset: str = "shapes_judge"

    def dataset(self, split, batch_size, shuffle=None, drop_remainder=False, inputs=None, **data_args):
        dataset = _counted_view(self, split, batch_size, shuffle, drop_remainder, data_args)
        draws = tf.data.Dataset.random(seed=data_args.get("seed", 0), rerandomize_each_iteration=(split == "train"))

        def with_seeds(batch, draw):
            features, image = batch
            seeds = tf.random.stateless_uniform(tf.shape(features["text"]), seed=tf.stack([draw, 0]),
                                                minval=0, maxval=2 ** 62, dtype=tf.int64)
            return {**features, "seed": seeds}, {"image": image, "layout_mixture": features["layout"]}

        return tf.data.Dataset.zip(dataset, draws).map(with_seeds)

    def builder_arguments(self, model_args, data_args) -> dict:
        return {"vectorizer": shapes_text_vectorizer(data_args)}

    def compile_arguments(self, model) -> dict:
        if generator.generator_of(model) is not model:
            return {}  # the GAN's own train_step holds its losses
        return {"loss": {"image": "mae", "layout_mixture": generator.layout_loss}}

    def exported_model(self, model):
        """What ships: the generator (caption reader, scene painter, layout prior); a GAN's
        discriminator stays behind."""
        return generator.generator_of(model)

    def serving_signatures(self, model, layout_temperature=generator.DEFAULT_LAYOUT_TEMPERATURE) -> dict:
        """`serving_default`: text -> image (float [64, 64, 3]), png (bytes) and the layout drawn,
        with seed 0; `with_seed`: the same with an int64 seed per caption."""
        drawer = generator.Drawer(model, layout_temperature)

        def outputs(texts, seeds):
            drawn = drawer(texts, seeds)
            return {**drawn, "png": serving.encode_pngs(drawn["image"])}

        return {"serving_default": lambda features: outputs(features["text"], tf.zeros(tf.shape(features["text"]),
                                                                                      tf.int64)),
                "with_seed": (lambda features: outputs(features["text"], features["seed"]),
                              {"seed": tf.TensorSpec([None], tf.int64, name="seed")})}

    def evaluate(self, model, split, batch_size, seeds=GENERATOR_EVALUATION_SEEDS, judge_model=None,
                 **data_args) -> dict:
        """The judge's attribute accuracy on images drawn for the split's captions (pooled over
        `seeds`, and per seed), the judge on the real images, the spread of the drawings across
        seeds, and L1 to the real image when drawn at the scene's true layout."""
        from mmzoo import presets

        judge_model = judge_model or presets.load_preset(self.judge_preset)
        drawer = generator.Drawer(model)
        read = tf.function(lambda images: judge_model({"image": images}, training=False))
        pooled, real = judge.AttributeTally(), judge.AttributeTally()
        per_seed = {seed: judge.AttributeTally() for seed in seeds}
        spreads, errors = [], []
        for features, targets in self.dataset(split, batch_size, shuffle=False, **data_args):
            expected = [judge.caption_attributes(text.decode()) for text in features["text"].numpy()]
            real.add(expected, judge.read_attributes(read(targets["image"])))
            drawings = []
            for seed in seeds:
                seeds_of_batch = tf.fill(tf.shape(features["text"]), tf.constant(seed, tf.int64))
                images = drawer(features["text"], seeds_of_batch)["image"]
                read_attributes = judge.read_attributes(read(images))
                pooled.add(expected, read_attributes)
                per_seed[seed].add(expected, read_attributes)
                drawings.append(images)
            spreads.append(tf.reduce_mean(tf.math.reduce_std(tf.stack(drawings), axis=0), axis=[1, 2, 3]))
            at_true_layout = drawer(features["text"], features["seed"], layouts=features["layout"])["image"]
            errors.append(tf.reduce_mean(tf.abs(at_true_layout - targets["image"]), axis=[1, 2, 3]))
        return {**pooled.metrics(), "examples": real.examples, "seeds": list(seeds),
                "per_seed_attribute_accuracy": {str(s): t.metrics()["attribute_accuracy"] for s, t in per_seed.items()},
                "judge_on_real_images": real.metrics()["attribute_accuracy"],
                "pixel_std_across_seeds": float(tf.reduce_mean(tf.concat(spreads, 0))),
                "l1_at_true_layout": float(tf.reduce_mean(tf.concat(errors, 0)))}


def shapes_training_transcripts(size="default", seed=0, home=None) -> list[str]:
    return [r["caption"].decode() for r in views.shapes_world_records("train", "speech", size, seed, home).map(
        lambda r: {"caption": r["caption"]}).as_numpy_iterator()]


def shapes_training_captions(size="default", seed=0, home=None) -> list[str]:
    """Captions and reference captions of Shapes `train`: what the text vectorizer adapts on."""
    texts = []
    for record in views.shapes_world_records("train", "scenes", size, seed, home).as_numpy_iterator():
        texts += [t.decode() for t in record["references"]]
    return texts


def shapes_text_vectorizer(data_args):
    """The text vectorizer of the Shapes text models, adapted on every training caption
    (`label_fraction` limits the labelled pairs, not the vocabulary)."""
    data_args = {name: value for name, value in data_args.items() if name != "label_fraction"}
    return preprocessing.text_vectorizer(shapes_training_captions(**data_args), sequence_length=TEXT_SEQUENCE_LENGTH)


def _shapes_count(split, size="default", seed=0, home=None, label_fraction=1.0):
    return 2 * views.labelled_scenes(split, label_fraction, size)  # a positive and a negative per scene


def _shapes_scene_count(split, size="default", seed=0, home=None):
    return build.shapes_world_sizes(size)[split]


def _avdigits_count(split, fsdd_dir=None, seed=0, home=None):
    first, last = build.AVDIGITS_IMAGE_SPLITS[split]
    return (last - first) * build.AVDIGITS_PAIRS_PER_IMAGE[split]


TASKS = {
    task.name: task for task in (
        ClassificationTask(
            "shapes_image_text_matching", "Does the caption describe the Shapes World scene?",
            ("image", "text"), ("mismatch", "match"), (64, 64, 3), views.image_text_matching, _shapes_count,
            ("train", "validation", "test", "compositional")),
        RetrievalTask(
            "shapes_image_text_retrieval", "Find the Shapes World scene a caption describes, and the caption of "
            "a scene, in one embedding space.", views.image_caption_pairs, _shapes_scene_count),
        ClassificationTask(
            "shapes_text_audio_matching", "Is the spoken caption the written one?",
            ("text", "audio"), ("mismatch", "match"), None, views.text_audio_matching, _shapes_count,
            ("train", "validation", "test", "compositional")),
        ClassificationTask(
            "avdigits", "Which digit: a handwritten image and a spoken word of the same label.",
            ("image", "audio"), DIGIT_WORDS, (build.AVDIGITS_IMAGE_SIZE,) * 2 + (1,),
            views.avdigits_classification, _avdigits_count),
        CaptioningTask(
            "shapes_captioning", "Describe the Shapes World scene in one caption.", views.captioning,
            _shapes_scene_count, shapes_training_captions, max_words=13,
            splits=("train", "validation", "test", "compositional")),
        SpeechRecognitionTask(
            "shapes_speech_recognition", "Transcribe the spoken Shapes World caption (unseen voices in test).",
            views.speech_recognition, _shapes_scene_count, shapes_training_transcripts,
            splits=("train", "validation", "test", "compositional")),
        SpeechRecognitionTask(
            "fsdd_speech_recognition", "Transcribe a spoken digit of the Free Spoken Digit Dataset "
            "(data_args: fsdd_dir, held_out_speaker).", views.fsdd_speech_recognition, views.fsdd_count,
            views.fsdd_training_transcripts),
        SpeechRecognitionTask(
            "speech_files", "Transcribe your own recordings: one LJSpeech-style folder (metadata.csv, wavs/) "
            "per split (data_args: splits = {split: folder}).", views.speech_files, views.speech_files_count,
            views.speech_files_training_transcripts),
        SceneAttributesTask(
            "shapes_scene_attributes", "Read each object's shape, colour and size and the relation from a "
            "Shapes World image (the judge of generated images).", views.scene_attributes, _shapes_scene_count),
        TextToImageTask(
            "shapes_text_to_image", "Draw the Shapes World scene a caption describes.", views.text_to_image,
            _shapes_scene_count),
        CaptioningTask(
            "caption_files", "Describe the image: your own captioned images in Flickr8k or COCO layout "
            "(data_args: format, splits, image_size).", views.caption_files, views.caption_files_count,
            views.caption_files_training_captions, image_shape=None),
    )
}


def register_task(task):
    """Make a task (see the protocol above) trainable by name."""
    TASKS[task.name] = task


def get_task(name):
    if name not in TASKS:
        raise ValueError(f"task: {name!r} is not one of {sorted(TASKS)}")
    return TASKS[name]
