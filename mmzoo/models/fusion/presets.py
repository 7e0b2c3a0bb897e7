"""The fusion classifiers' prebuilt models, as configs (pure data)."""

from __future__ import annotations

from mmzoo.config import TrainConfig

PRESETS = {
    "fusion_shapes_image_text": TrainConfig(
        model="fusion_classifier", task="shapes_image_text_matching",
        model_args={"fusion": "grounding"}, epochs=20, batch_size=64, learning_rate=1e-3,
        evaluate_splits=("test", "compositional")),
    # The audio side is the speech recogniser's front end and BiLSTMs, frozen: it hears engines
    # it never heard, which a matcher's own audio encoder, learning speech from a yes/no label,
    # does not. The text side and FiLM learn to compare the two.
    "fusion_shapes_text_audio": TrainConfig(
        model="fusion_classifier", task="shapes_text_audio_matching",
        model_args={"fusion": "film", "augment": True, "waveform_augment": True, "normalization": "utterance",
                    "convolution": "2d", "width": 192, "recurrent_layers": 2, "num_mel_bins": 80,
                    "audio_subsampling": 2, "initial_audio_encoder": "speech_shapes"},
        data_args={"engine_shares": {"mbrola": 0.5}}, epochs=4, batch_size=64, learning_rate=1e-3,
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
