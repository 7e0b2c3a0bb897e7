"""The speech recogniser's pieces: CTC over padded batches, decoding, and the FSDD splits."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from mmzoo.data import views
from mmzoo.data.readers import DIGIT_WORDS
from mmzoo.errors import InvalidInputError
from mmzoo.models import teacher_forcing
from mmzoo.models.speech import model as speech

CHARACTERS = ["a", "b"]  # blank is 2


def _one_hot_logits(path, frames=None):
    frames = frames or len(path)
    logits = np.full((frames, 3), -10.0, "float32")
    for t, symbol in enumerate(path):
        logits[t, symbol] = 10.0
    return logits


def test_decoders_collapse_repeats_and_drop_blanks():
    logits = tf.constant(np.stack([_one_hot_logits([0, 0, 2, 0, 1, 1, 2]), _one_hot_logits([2, 1, 2, 2, 2, 2, 2])]))
    for width in (1, 4):
        decoded = speech.decode_logits(logits, CHARACTERS, beam_width=width)
        assert [t.decode() for t in decoded["transcript"].numpy()] == ["aab", "b"]
        assert (decoded["score"].numpy() > -1e-3).all()  # log-probability of a near-certain path


def test_padded_frames_are_a_certain_blank_that_costs_nothing():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(2, 6, 3)).astype("float32")
    mask = np.array([[True] * 6, [True] * 4 + [False] * 2])
    padded = speech.CTCOutput(CHARACTERS)(tf.constant(logits), mask=tf.constant(mask))
    targets = np.array([[0, 1, 0], [1, 0, -1]])
    expected = tf.nn.ctc_loss(labels=tf.constant(np.maximum(targets, 0)), logits=tf.constant(logits),
                              label_length=tf.constant([3, 2]), logit_length=tf.constant([6, 4]),
                              logits_time_major=False, blank_index=2)
    np.testing.assert_allclose(speech.ctc_loss(targets, padded), expected, rtol=1e-4)
    decoded = speech.decode_logits(padded, CHARACTERS, beam_width=4)["transcript"].numpy()
    trimmed = speech.decode_logits(tf.constant(logits[1:, :4]), CHARACTERS, beam_width=4)["transcript"].numpy()
    assert decoded[1] == trimmed[0]


def test_bad_alphabets_and_decoders_are_refused():
    with pytest.raises(ValueError, match="characters: distinct single characters"):
        speech.speech_lstm(["a", "a"])
    with pytest.raises(ValueError, match="decoder: must be one of"):
        speech.speech_lstm(["a"], decoder="transducer")


def test_fsdd_splits_follow_the_test_convention_and_leave_a_speaker_out(fsdd_recordings):
    def names(split, **kwargs):
        return {e["path"].name for e in views.fsdd_reader(split, fsdd_recordings, **kwargs).entries}

    test, validation, train = names("test"), names("validation"), names("train")
    assert len(test) == 250 and len(validation) == 250 and len(train) == 2000
    assert all(int(n.split("_")[2][:-4]) < 5 for n in test) and not (test & train) and not (validation & train)
    held_out = names("test", held_out_speaker="theo")
    assert len(held_out) == 500 and all("_theo_" in n for n in held_out)
    assert not any("_theo_" in n for n in names("train", held_out_speaker="theo") | names(
        "validation", held_out_speaker="theo"))
    with pytest.raises(ValueError, match="held_out_speaker: 'nobody'"):
        views.fsdd_reader("test", fsdd_recordings, held_out_speaker="nobody")


def test_an_utterance_is_heard_alike_alone_and_in_a_batch_of_longer_ones():
    """The padding of a batch must not reach a waveform's features (convolutions over the frames
    once read the log-mel of the padding past its end, and the backward LSTM carried it back)."""
    from mmzoo.models.fusion.model import fusion_classifier

    rng = np.random.default_rng(0)
    utterance = (0.1 * rng.normal(size=5000)).astype("float32")
    batch = np.zeros((2, 9000), "float32")
    batch[0, :5000], batch[1] = utterance, 0.1 * rng.normal(size=9000)
    alone = {"audio": utterance[None], "audio_length": np.array([5000], "int32")}
    together = {"audio": batch, "audio_length": np.array([5000, 9000], "int32")}
    recogniser = speech.speech_lstm(CHARACTERS, width=16, layers=1)
    frames = recogniser(alone).shape[1]
    np.testing.assert_allclose(recogniser(together)[:1, :frames], recogniser(alone), atol=1e-4)
    classifier = fusion_classifier(("audio",), 3, width=16)
    np.testing.assert_allclose(classifier(together)[:1], classifier(alone), atol=1e-5)
    for front_end, normalization, convolution in (("log_mel", "utterance", "1d"), ("mfcc", "utterance", "1d"),
                                                  ("mfcc", "frame", "1d"), ("log_mel", "utterance", "2d")):
        recogniser = speech.speech_lstm(CHARACTERS, width=16, layers=1, waveform_augment=True, front_end=front_end,
                                        normalization=normalization, convolution=convolution)
        np.testing.assert_allclose(recogniser(together)[:1, :frames], recogniser(alone), atol=1e-4)
    recogniser = speech.speech_lstm(CHARACTERS, width=16, layers=1, subsampling=4, convolution="2d")
    fewer_frames = recogniser(alone).shape[1]
    assert fewer_frames < frames
    np.testing.assert_allclose(recogniser(together)[:1, :fewer_frames], recogniser(alone), atol=1e-4)




def _utterances(rng, lengths):
    audio = np.zeros((len(lengths), max(lengths)), "float32")
    for row, length in enumerate(lengths):
        audio[row, :length] = 0.1 * rng.normal(size=length)
    return tf.constant(audio), tf.constant(lengths, tf.int32)


def _attention_recogniser(characters=CHARACTERS):
    keras.utils.set_random_seed(0)
    return speech.speech_lstm(characters, decoder="attention", width=16, layers=1, num_mel_bins=20)


def test_attention_decoder_one_step_at_a_time_matches_teacher_forcing():
    """The decoder rewired for beam search (`Transcriber`) gives, token by token, the
    log-probabilities the trained (teacher-forced) model gives for the same transcript."""
    model = _attention_recogniser()
    audio, lengths = _utterances(np.random.default_rng(1), [6000, 3000])
    transcripts = tf.constant(["abba", "b"])
    teacher_forced = tf.nn.log_softmax(model({"audio": audio, "audio_length": lengths, "transcript": transcripts}))
    transcriber = speech.Transcriber(model)
    h, c, frames = transcriber.encode({"audio": audio, "audio_length": lengths})
    state = (h, c, frames, transcriber.frames_mask.compute_mask([frames, lengths]))
    special = speech.attention_token_ids(CHARACTERS)
    previous = tf.fill([2], special["start"])
    for position, column in enumerate([[1, 2], [2, special["end"]], [2, 0], [1, 0]]):
        step_log_probabilities, state = transcriber.step(previous, state)
        np.testing.assert_allclose(step_log_probabilities[0], teacher_forced[0, position], atol=1e-5)
        if position < 2:
            np.testing.assert_allclose(step_log_probabilities[1], teacher_forced[1, position], atol=1e-5)
        previous = tf.constant(column)


def test_attention_transcripts_are_the_same_alone_and_in_a_batch():
    model = _attention_recogniser()
    audio, lengths = _utterances(np.random.default_rng(2), [9000, 4000])
    transcriber = speech.Transcriber(model)
    for width in (1, 3):
        together = transcriber(audio, lengths, width)
        alone = transcriber(audio[1:, :4000], lengths[1:], width)  # no padding at all
        assert together["transcript"].numpy()[1] == alone["transcript"].numpy()[0]
        np.testing.assert_allclose(together["score"][1], alone["score"][0], atol=1e-5)


def test_attention_loss_is_a_mean_per_utterance_over_its_characters_and_end():
    targets = tf.constant([[0, 1, 1], [1, -1, -1]])  # "abb", "b"
    logits = tf.random.stateless_normal([2, 4, 4], seed=[0, 1])  # class 0 unused, 3 the end
    expected = teacher_forcing.sequence_loss(tf.constant([[1, 2, 2, 3], [2, 3, 0, 0]]), logits)
    np.testing.assert_allclose(speech.attention_loss(targets, logits), expected, rtol=1e-6)
    per_token = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[2, 3], logits=logits[1, :2])
    np.testing.assert_allclose(expected[1], tf.reduce_mean(per_token), rtol=1e-6)


def test_a_transcript_character_outside_the_alphabet_is_refused():
    with pytest.raises(tf.errors.InvalidArgumentError, match="transcript: a character outside"):
        speech.CharacterTokens(CHARACTERS)(tf.constant(["abc"]))


def test_attention_alignment_is_a_distribution_over_each_utterance_s_own_frames():
    model = _attention_recogniser()
    audio, lengths = _utterances(np.random.default_rng(3), [8000, 3200])
    weights = speech.attention_alignment(model, audio, lengths, tf.constant(["ab", "b"])).numpy()
    frames = -(-lengths.numpy() // model.get_layer("audio_mask").samples_per_frame)
    assert weights.shape[:2] == (2, 3)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, atol=1e-5)
    assert np.abs(weights[1, :, frames[1]:]).max() < 1e-6
    with pytest.raises(ValueError, match="CTC recogniser has no attention"):
        speech.attention_alignment(speech.speech_lstm(CHARACTERS, width=16, layers=1), audio, lengths, ["a", "b"])


def test_synthetic_digit_words_widen_only_the_training_split(fsdd_recordings):
    spoken = views.synthetic_digit_words(2, seed=0)
    assert sorted(word for _, word in spoken) == sorted(DIGIT_WORDS * 2)
    for waveform, _ in spoken:  # in FSDD's telephone band: nothing above 4 kHz but the filter's tail
        power = np.abs(np.fft.rfft(waveform)) ** 2
        assert power[int(len(power) * 4200 / 8000):].sum() < 0.01 * power.sum()
    again = views._synthetic_digit_words.__wrapped__(2, 0, "shapes", ("espeak",))  # eSpeak's timing varies a little
    assert [w for _, w in again] == [w for _, w in spoken]
    np.testing.assert_allclose([len(a) for a, _ in again], [len(a) for a, _ in spoken], rtol=0.1)
    data_args = {"fsdd_dir": fsdd_recordings, "synthetic_per_word": 2}
    assert views.fsdd_count("train", **data_args) == 2000 + 20
    assert views.fsdd_count("test", **data_args) == 250
    words = [w.decode() for _, batch in views.fsdd_speech_recognition("train", 256, shuffle=False, **data_args)
             for w in batch.numpy()]
    assert len(words) == 2020 and words[-20:] == [w for _, w in spoken]


def test_wide_synthetic_digit_words_mix_voices_and_engines():
    from mmzoo.data import speech_synthesis

    with pytest.raises(ValueError, match="voices, engines"):
        views.synthetic_digit_words(1, voices="every")
    if speech_synthesis.festival_missing():
        pytest.skip(speech_synthesis.festival_missing())
    spoken = views.synthetic_digit_words(1, seed=0, voices="wide", engines=("espeak", "festival"))
    assert [word for _, word in spoken] == list(DIGIT_WORDS)
    assert all(0.2 < len(waveform) / 16000 < 2.0 for waveform, _ in spoken)
    rng = np.random.default_rng(0)
    voices = {speech_synthesis.sample_wide_voice(rng).name for _ in range(200)}
    assert len(voices) > 100 and not any(name.endswith(("+m6", "+m7", "+f5")) for name in voices)


def test_mbrola_speaks_english_in_many_real_voices_and_says_how_to_install_it(monkeypatch):
    from mmzoo.data import speech_synthesis

    if speech_synthesis.mbrola_missing():
        pytest.skip(speech_synthesis.mbrola_missing())
    voices = speech_synthesis.mbrola_voices()
    slow = speech_synthesis.mbrola_speak("a large red circle", speech_synthesis.MbrolaVoice(voices[0], rate=120))
    fast = speech_synthesis.mbrola_speak("a large red circle", speech_synthesis.MbrolaVoice(voices[0], rate=240))
    assert slow.dtype == np.float32 and 0.05 < np.abs(slow).max() <= 1.0
    assert 1.6 < len(slow) / len(fast) < 3.2
    if len(voices) > 1:
        other = speech_synthesis.mbrola_speak("a large red circle", speech_synthesis.MbrolaVoice(voices[1], rate=240))
        assert not np.array_equal(np.resize(other, fast.shape), fast)
    spoken = views.synthetic_digit_words(1, seed=0, voices="wide", engines=("espeak", "mbrola"))
    assert [word for _, word in spoken] == list(DIGIT_WORDS)
    assert all(0.1 < len(waveform) / 16000 < 2.0 for waveform, _ in spoken)
    with pytest.raises(ValueError, match="MBROLA voice 'kal' is not one of"):
        speech_synthesis.mbrola_speak("a", speech_synthesis.MbrolaVoice("kal"))
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert "apt-get install espeak-ng mbrola mbrola-us1" in speech_synthesis.mbrola_missing()
    with pytest.raises(RuntimeError, match="engines: mbrola: MBROLA is not installed"):
        views.synthetic_digit_words(2, seed=0, voices="wide", engines=("espeak", "mbrola"))


def test_train_captions_are_heard_in_another_engines_voice_with_its_share_fresh_each_epoch(tiny_shapes, monkeypatch):
    from mmzoo.data import build, speech_synthesis

    if speech_synthesis.festival_missing():
        pytest.skip(speech_synthesis.festival_missing())
    directory = build.build_spoken_captions("festival", "tiny", progress=False)
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["captions"] == 64 and manifest["voices"] == ["ked_diphone"]
    assert build.build_spoken_captions("festival", "tiny", progress=False) == directory  # cached

    def lengths(split, epochs=1, **data_args):
        dataset = views.speech_recognition(split, batch_size=64, size="tiny", shuffle=False, **data_args)
        return [sorted(int(n) for features, _ in dataset for n in features["audio_length"].numpy())
                for _ in range(epochs)]

    espeak, festival = lengths("train")[0], sorted(
        len(r["audio"]) for r in views._recordings_by("festival", "tiny", 0, None).as_numpy_iterator())
    assert lengths("train", engine_shares={"festival": 1.0})[0] == festival != espeak
    first, second = lengths("train", epochs=2, engine_shares={"festival": 0.5})
    assert first != second
    assert all(len(set(epoch) & set(espeak)) > 16 and len(set(epoch) & set(festival)) > 16 for epoch in (first, second))
    assert lengths("validation", engine_shares={"festival": 1.0}) == lengths("validation")
    with pytest.raises(ValueError, match="engine_shares: .* summing to at most 1, got {'festival': 1.5}"):
        views.speech_recognition("train", size="tiny", engine_shares={"festival": 1.5})
    with pytest.raises(ValueError, match="engine_shares: .*got {'flite': 0.5}"):
        views.text_audio_matching("train", size="tiny", engine_shares={"flite": 0.5})
    with pytest.raises(ValueError, match="engine: 'flite' is not one of"):
        build.build_spoken_captions("flite", "tiny")
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(ValueError, match="engine: mbrola: MBROLA is not installed \\(apt-get install espeak-ng mbrola"):
        build.build_spoken_captions("mbrola", "tiny")


def test_telephone_band_low_passes_a_fraction_of_the_waveforms_in_training_only():
    from mmzoo.layers.audio import TelephoneBand

    rng = np.random.default_rng(4)
    waveforms = tf.constant(rng.normal(size=(200, 1600)).astype("float32"))
    layer = TelephoneBand(rate=0.5, seed=0)
    np.testing.assert_array_equal(layer(waveforms), waveforms)
    filtered = layer(waveforms, training=True).numpy()
    high = np.abs(np.fft.rfft(filtered, axis=-1))[:, 410:] ** 2  # above 4.1 kHz at 16 kHz
    low_passed = high.sum(axis=-1) < 1e-6 * (filtered ** 2).sum(axis=-1) * 1600
    unchanged = np.abs(filtered - waveforms.numpy()).max(axis=-1) < 1e-4
    assert (low_passed ^ unchanged).all() and 70 < low_passed.sum() < 130


def _ljspeech_folder(folder, transcripts, rate):
    (folder / "wavs").mkdir(parents=True)
    rows = []
    for number, transcript in enumerate(transcripts):
        samples = np.sin(np.arange(int(0.3 * rate)) * 2 * np.pi * (200 + 50 * number) / rate) * 0.3
        (folder / "wavs" / f"u{number}.wav").write_bytes(
            tf.audio.encode_wav(tf.constant(samples[:, None], tf.float32), rate).numpy())
        rows.append(f"u{number}|{transcript.upper()}|{transcript}")
    (folder / "metadata.csv").write_text("\n".join(rows) + "\n")
    return str(folder)


def test_your_own_recordings_in_ljspeech_folders_train_a_recogniser(tmp_path):
    from mmzoo import registry
    from mmzoo.config import TrainConfig
    from mmzoo.training.trainer import train

    splits = {"train": _ljspeech_folder(tmp_path / "train", ["red  circle", "blue square", "red square"], 22050),
              "validation": _ljspeech_folder(tmp_path / "validation", ["blue circle"], 8000),
              "test": _ljspeech_folder(tmp_path / "test", ["red circle", "blue"], 16000)}
    task = registry.get_task("speech_files")
    assert task.count("train", splits=splits) == 3 and task.count("test", splits=splits) == 2
    assert task.characters(splits=splits) == sorted(set("red circleblue square"))
    features, targets = next(iter(task.dataset("train", 3, shuffle=False, splits=splits)))
    assert features["audio_length"].numpy().tolist() == [4800] * 3  # 0.3 s at 16 kHz, from 22.05 kHz
    assert (targets.numpy()[0] >= 0).sum() == len("red circle")  # whitespace collapsed, as in the alphabet
    config = TrainConfig(model="speech_lstm", task="speech_files", model_args={"width": 16, "layers": 1},
                         data_args={"splits": splits}, epochs=1, batch_size=2, monitor="val_loss")
    metrics = train(config, tmp_path / "run", verbose=0)
    assert metrics["splits"]["test"]["examples"] == 2
    with pytest.raises(ValueError, match=r"split: 'validation' has no folder in data_args\['splits'\]"):
        task.count("validation", splits={"train": splits["train"]})


def test_festival_speaks_at_its_rate_and_pitch_and_refuses_the_reserved_voices(monkeypatch):
    from mmzoo.data import speech_synthesis

    slow = speech_synthesis.festival_speak("a large red circle", speech_synthesis.FestivalVoice(stretch=1.3))
    fast = speech_synthesis.festival_speak("a large red circle", speech_synthesis.FestivalVoice(stretch=0.8))
    assert slow.dtype == np.float32 and 0.1 < np.abs(slow).max() <= 1.0
    assert 1.4 < len(slow) / len(fast) < 1.8
    pitches = []
    for hertz in (90, 150):
        spoken = speech_synthesis.festival_speak("a", speech_synthesis.FestivalVoice(pitch_hz=hertz))
        voiced = spoken[len(spoken) // 4:len(spoken) // 2]
        lags = np.correlate(voiced, voiced, "full")[len(voiced) - 1:]
        pitches.append(16000 / (53 + np.argmax(lags[53:267])))  # 60-300 Hz
    assert pitches[1] > 1.3 * pitches[0]
    with pytest.raises(ValueError, match="kal_diphone is kept for evaluation outside the project"):
        speech_synthesis.festival_speak("a", speech_synthesis.FestivalVoice(name="kal_diphone"))
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert "apt-get install festival festvox-kdlpc16k" in speech_synthesis.festival_missing()


def test_pico_speaks_in_its_two_voices_at_their_speed_and_pitch_and_says_how_to_install_it(monkeypatch):
    from mmzoo.data import speech_synthesis

    if speech_synthesis.pico_missing():
        pytest.skip(speech_synthesis.pico_missing())

    def pitch_hz(spoken):
        voiced = spoken[len(spoken) // 4:len(spoken) // 2]
        lags = np.correlate(voiced, voiced, "full")[len(voiced) - 1:]
        return 16000 / (40 + np.argmax(lags[40:320]))  # 50-400 Hz

    slow = speech_synthesis.pico_speak("a large red circle", speech_synthesis.PicoVoice(speed=70))
    fast = speech_synthesis.pico_speak("a large red circle", speech_synthesis.PicoVoice(speed=140))
    assert slow.dtype == np.float32 and 0.1 < np.abs(slow).max() <= 1.0
    assert 1.5 < len(slow) / len(fast) < 2.5
    low, high = (speech_synthesis.pico_speak("a", speech_synthesis.PicoVoice(pitch=p)) for p in (60, 150))
    assert pitch_hz(high) > 1.8 * pitch_hz(low)
    american = speech_synthesis.pico_speak("a large red circle", speech_synthesis.PicoVoice())
    british = speech_synthesis.pico_speak("a large red circle", speech_synthesis.PicoVoice("en-GB"))
    assert not np.array_equal(np.resize(british, american.shape), american)
    assert len(speech_synthesis.pico_speak("red <circle> & square", speech_synthesis.PicoVoice())) > 8000
    with pytest.raises(ValueError, match="voice: Pico voice 'de-DE' is not one of"):
        speech_synthesis.pico_speak("a", speech_synthesis.PicoVoice("de-DE"))
    spoken = views.synthetic_digit_words(1, seed=0, voices="wide", engines=("espeak", "pico"))
    assert [word for _, word in spoken] == list(DIGIT_WORDS) and all(len(w) > 1600 for w, _ in spoken)
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert "apt-get install libttspico-utils" in speech_synthesis.pico_missing()
    with pytest.raises(RuntimeError, match="engines: pico: Pico is not installed"):
        views.synthetic_digit_words(2, seed=0, voices="wide", engines=("espeak", "pico"))


def test_a_matcher_hears_through_a_trained_recogniser_frozen_unless_fine_tuned():
    from mmzoo.models.fusion.model import fusion_classifier

    keras.utils.set_random_seed(0)
    front_end = {"num_mel_bins": 16, "convolution": "2d", "normalization": "utterance"}
    recogniser = speech.speech_lstm(CHARACTERS, width=16, layers=2, **front_end)

    def audio_classifier(initial_audio_encoder=recogniser, **arguments):
        return fusion_classifier(("audio",), 2, width=16, recurrent_layers=2, audio_subsampling=2,
                                 initial_audio_encoder=initial_audio_encoder, **front_end, **arguments)

    model = audio_classifier()
    copied = {"audio_conv0", "audio_conv1", "audio_conv_projection", "audio_bilstm", "audio_bilstm1"}
    assert copied <= {layer.name for layer in model.layers if not layer.trainable}
    pairs = [("audio_conv1", "audio_conv1"), ("audio_bilstm", "encoder_bilstm0"), ("audio_bilstm1", "encoder_bilstm1")]
    before = {name: model.get_layer(name).get_weights() for name, _ in pairs}
    for name, source in pairs:
        for got, wanted in zip(before[name], recogniser.get_layer(source).get_weights(), strict=True):
            np.testing.assert_array_equal(got, wanted)
    audio, lengths = _utterances(np.random.default_rng(0), [8000, 5000])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.train_on_batch({"audio": audio, "audio_length": lengths}, np.array([0, 1]))
    for name, _ in pairs:  # frozen: a training step moves the head only
        for got, wanted in zip(model.get_layer(name).get_weights(), before[name], strict=True):
            np.testing.assert_array_equal(got, wanted)
    assert all(audio_classifier(fine_tune_audio=True).get_layer(name).trainable for name in copied)
    with pytest.raises(InvalidInputError, match="initial_audio_encoder: layer audio_conv1: strides"):
        fusion_classifier(("audio",), 2, width=16, recurrent_layers=2, initial_audio_encoder=recogniser, **front_end)
    with pytest.raises(InvalidInputError, match="initial_audio_encoder: .*not a speech recogniser"):
        audio_classifier(initial_audio_encoder=model)


def test_the_transcript_gap_is_near_zero_for_what_was_said_and_large_otherwise():
    from mmzoo.models.speech.layers import CharacterTokens, TranscriptGap

    logits = tf.constant(np.stack([_one_hot_logits([0, 2, 0, 1, 2, 2])] * 4))  # "aab" said
    tokens = CharacterTokens(CHARACTERS)(tf.constant(["aab", "ab", "abb", "aabababab"]))
    gap = TranscriptGap()([tokens, logits]).numpy()
    assert gap.shape == (4, 2)
    assert abs(gap[0, 0]) < 1e-2 and gap[0, 1] == pytest.approx(gap[0, 0] / 3)
    assert (gap[1:3, 0] > 10).all()  # one character left out or changed: many nats
    assert gap[3, 0] == TranscriptGap.LARGEST  # longer than the frames allow: no path


def test_transcript_fusion_matches_text_and_audio_through_a_frozen_ctc_recogniser():
    from mmzoo.data.preprocessing import text_vectorizer
    from mmzoo.models.fusion.model import fusion_classifier

    keras.utils.set_random_seed(0)
    recogniser = speech.speech_lstm(CHARACTERS + [" "], width=16, layers=1, num_mel_bins=16)
    vectorizer = text_vectorizer(["ab ba", "aab"], sequence_length=4)
    matcher = fusion_classifier(("text", "audio"), 2, fusion="transcript", vectorizer=vectorizer,
                                initial_audio_encoder=recogniser)
    assert len(matcher.trainable_weights) == 2  # the head's kernel and bias
    words = matcher.get_layer("caption_words")(vectorizer(tf.constant(["AB,  ba!", "aab"]))).numpy()
    assert words.tolist() == [b"ab ba", b"aab"]  # what the recogniser would have written
    audio, lengths = _utterances(np.random.default_rng(0), [8000, 5000])
    probabilities = matcher({"text": tf.constant(["ab", "Ba."]), "audio": audio, "audio_length": lengths})
    np.testing.assert_allclose(np.sum(probabilities, axis=-1), 1.0, rtol=1e-5)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"text: word\(s\) outside the vocabulary: abc"):
        matcher({"text": tf.constant(["ab", "abc"]), "audio": audio, "audio_length": lengths})
    with pytest.raises(InvalidInputError, match="initial_audio_encoder: transcript fusion needs"):
        fusion_classifier(("text", "audio"), 2, fusion="transcript", vectorizer=vectorizer,
                          initial_audio_encoder=speech.speech_lstm(CHARACTERS, decoder="attention", width=16,
                                                                   layers=1, num_mel_bins=16))
    with pytest.raises(InvalidInputError, match="initial_audio_encoder: its alphabet lacks ' '"):
        fusion_classifier(("text", "audio"), 2, fusion="transcript", vectorizer=vectorizer,
                          initial_audio_encoder=speech.speech_lstm(CHARACTERS, width=16, layers=1, num_mel_bins=16))
    with pytest.raises(ValueError, match="fusion: transcript matches text with audio"):
        fusion_classifier(("image", "text"), 2, fusion="transcript", initial_audio_encoder=recogniser)


def test_trim_silence_makes_a_recogniser_deaf_to_silence_around_speech():
    keras.utils.set_random_seed(0)
    model = speech.speech_lstm(CHARACTERS, width=16, layers=1, num_mel_bins=16, trim_silence=True)
    untrimmed = speech.speech_lstm(CHARACTERS, width=16, layers=1, num_mel_bins=16)
    assert "audio_trim_silence" not in [layer.name for layer in untrimmed.layers]
    untrimmed.set_weights(model.get_weights())  # the same weights: the trim has none
    speech_only, lengths = _utterances(np.random.default_rng(0), [6400])

    def heard(recogniser, before, after):
        audio = tf.concat([tf.zeros((1, before)), speech_only, tf.zeros((1, after))], axis=1)
        logits = recogniser({"audio": audio, "audio_length": lengths + before + after}, training=False)
        return logits[:, :20].numpy()  # the frames of speech and its margins

    np.testing.assert_allclose(heard(model, 3200, 3200), heard(model, 8000, 1600), atol=1e-5)
    assert np.abs(heard(untrimmed, 3200, 3200) - heard(untrimmed, 8000, 1600)).max() > 1e-2
