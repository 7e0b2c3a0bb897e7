"""Speech recognition tasks: spoken Shapes World captions, FSDD's spoken digits, or your own
recordings (LJSpeech layout)."""

from __future__ import annotations

import dataclasses
from typing import Callable

import tensorflow as tf

from mmzoo.data import views
from mmzoo.evaluation.sequences import greedy_and_beam_metrics
from mmzoo.evaluation.speech import transcription_metrics
from mmzoo.models.speech import model as speech
from mmzoo.models.task import Task, data_key

TRANSCRIPTION_BEAM_WIDTH = 8
_alphabets = {}


@dataclasses.dataclass(frozen=True, kw_only=True)
class SpeechRecognitionTask(Task):
    """Waveform to transcript. The dataset gives the model the waveform and its length and, as
    the target, the transcript's character ids (padded with -1); evaluation decodes in the
    graph (CTC greedy and beam search) and scores word and character error rates.

    Args:
        training_transcripts: `training_transcripts(**data_args)` -> what the alphabet is read from.
    """

    training_transcripts: Callable
    modalities: tuple = ("audio",)

    def characters(self, **data_args) -> list[str]:
        """The alphabet of the training transcripts, read once per data (dataset and model share it)."""
        key = data_key(self.name, data_args)
        if key not in _alphabets:
            _alphabets[key] = sorted(set("".join(self.training_transcripts(**data_args))))
        return _alphabets[key]

    def dataset(self, split, batch_size, shuffle=None, drop_remainder=False, inputs=None, **data_args):
        """Batches of (features, character ids padded with -1); the features include the
        `transcript` string where `inputs` name it (an attention decoder reads it: teacher forcing)."""
        characters = self.characters(**data_args)
        table = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(tf.constant(characters), tf.range(len(characters))), default_value=-2)
        dataset = self.counted_view(split, batch_size, shuffle, drop_remainder, **data_args)

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
        return greedy_and_beam_metrics(
            batches, lambda audio, width: transcriber(*audio, width)["transcript"], transcription_metrics,
            TRANSCRIPTION_BEAM_WIDTH, "reference")

    def headline(self, metrics: dict) -> str:
        beam = metrics["beam"]
        return (f"WER {metrics['wer']:.4f}, CER {metrics['cer']:.4f} (greedy); "
                f"WER {beam['wer']:.4f}, CER {beam['cer']:.4f} (beam)")


TASKS = (
    SpeechRecognitionTask(
        name="shapes_speech_recognition", description="Transcribe the spoken Shapes World caption (unseen voices "
        "in test).", view=views.speech_recognition, count=views.shapes_scene_count,
        training_transcripts=views.shapes_training_transcripts,
        splits=("train", "validation", "test", "compositional")),
    SpeechRecognitionTask(
        name="fsdd_speech_recognition", description="Transcribe a spoken digit of the Free Spoken Digit Dataset "
        "(data_args: fsdd_dir, held_out_speaker).", view=views.fsdd_speech_recognition, count=views.fsdd_count,
        training_transcripts=views.fsdd_training_transcripts),
    SpeechRecognitionTask(
        name="speech_files", description="Transcribe your own recordings: one LJSpeech-style folder (metadata.csv, "
        "wavs/) per split (data_args: splits = {split: folder}).", view=views.speech_files,
        count=views.speech_files_count, training_transcripts=views.speech_files_training_transcripts,
        required_data_args=("splits",)),
)
