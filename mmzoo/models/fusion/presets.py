"""The fusion classifiers' prebuilt models, as configs (pure data)."""

from __future__ import annotations

from mmzoo.config import TrainConfig

PRESETS = {
    "fusion_shapes_image_text": TrainConfig(
        model="fusion_classifier", task="shapes_image_text_matching",
        model_args={"fusion": "grounding"}, epochs=20, batch_size=64, learning_rate=1e-3,
        evaluate_splits=("test", "compositional")),
    # Compares instead of learning to: the written caption's likelihood under the frozen speech
    # recogniser, less that of what the recogniser heard. Whatever voice the recogniser hears,
    # the matcher hears; a matcher with an audio encoder of its own learns speech from a yes/no
    # label, and hears only the voices it was trained on. Six weights to learn: one epoch.
    "fusion_shapes_text_audio": TrainConfig(
        model="fusion_classifier", task="shapes_text_audio_matching",
        model_args={"fusion": "transcript", "initial_audio_encoder": "speech_shapes"},
        data_args={"engine_shares": {"mbrola": 0.5}}, epochs=1, batch_size=64, learning_rate=1e-2,
        evaluate_splits=("test", "compositional")),
    # English and Chinese (WordPiece pieces: subwords, characters): 12 epochs of both languages
    # are 24 epochs' steps of one.
    "fusion_shapes_image_text_bilingual": TrainConfig(
        model="fusion_classifier", task="shapes_image_text_matching", data_args={"language": "both"},
        model_args={"fusion": "grounding", "tokenizer": "wordpiece"}, epochs=12, batch_size=64, learning_rate=1e-3,
        evaluate_splits=("test", "compositional")),
    "fusion_avdigits": TrainConfig(
        model="fusion_classifier", task="avdigits",
        model_args={"fusion": "attention", "modality_dropout": 0.3}, epochs=30, batch_size=64, learning_rate=1e-3),
}
