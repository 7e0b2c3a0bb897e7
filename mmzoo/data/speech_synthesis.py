"""Offline text to speech with eSpeak NG, driven through ctypes from the `espeakng-loader` wheel.

eSpeak NG carries state from one utterance to the next (its output differs by a few samples
depending on what it said before), so byte-identical data needs a fixed history: every batch
of utterances is synthesised in a fresh process (see `synthesise_in_fresh_process`), in a
fixed order. This module imports no TensorFlow so that those processes start fast.
"""

from __future__ import annotations

import ctypes
import dataclasses
import threading
from typing import Callable

import numpy as np
from scipy.signal import resample_poly

SAMPLE_RATE = 16000
MAX_SECONDS = 6.0

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_ESPEAK_RATE = 1
_ESPEAK_VOLUME = 2
_ESPEAK_PITCH = 3
_ESPEAK_RANGE = 4
_ESPEAK_WORDGAP = 7
_SYNTH_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


@dataclasses.dataclass(frozen=True)
class Voice:
    """An eSpeak NG voice ("en-us", "en-gb-scotland+f2", ...) at a speaking rate and pitch."""

    name: str
    rate: int = 175  # words per minute
    pitch: int = 50  # 0-99
    pitch_range: int = 50  # 0-99: 0 monotone
    word_gap: int = 0  # in 10 ms
    volume: int = 100  # 0-200

    def __str__(self):
        extra = "".join(f"/{field.name}{getattr(self, field.name)}" for field in dataclasses.fields(self)[3:]
                        if getattr(self, field.name) != field.default)
        return f"{self.name}/rate{self.rate}/pitch{self.pitch}{extra}"


# Speakers: accents x variants. Validation and test speakers share no accent-variant pair with
# train, and test's variants are never heard in train or validation, so test speakers are unseen.
TRAIN_SPEAKERS = tuple(
    f"{accent}+{variant}"
    for accent in ("en-us", "en", "en-gb-x-rp", "en-029")
    for variant in ("m1", "m2", "m3", "m4", "f1", "f2", "f3")
)
VALIDATION_SPEAKERS = tuple(
    f"{accent}+{variant}" for accent in ("en-gb-scotland", "en-us-nyc") for variant in ("m5", "f4")
)
TEST_SPEAKERS = tuple(
    f"{accent}+{variant}"
    for accent in ("en-gb-scotland", "en-us-nyc", "en-gb-x-gbclan", "en-us")
    for variant in ("m6", "m7", "f5")
)
SPEAKERS_BY_SPLIT = {
    "train": TRAIN_SPEAKERS,
    "validation": VALIDATION_SPEAKERS,
    "test": TEST_SPEAKERS,
    "compositional": TEST_SPEAKERS,
}
RATE_RANGE = (140, 200)
PITCH_RANGE = (30, 70)
SNR_DB_RANGE = (25.0, 40.0)
PEAK_RANGE = (0.3, 0.9)


def sample_voice(rng: np.random.Generator, split: str) -> Voice:
    speakers = SPEAKERS_BY_SPLIT[split]
    return Voice(
        name=speakers[int(rng.integers(len(speakers)))],
        rate=int(rng.integers(RATE_RANGE[0], RATE_RANGE[1] + 1)),
        pitch=int(rng.integers(PITCH_RANGE[0], PITCH_RANGE[1] + 1)),
    )


# Every English accent eSpeak NG has, and every voice variant but those of Shapes World's
# validation and test speakers: the widest set of eSpeak voices a model may be trained on.
ENGLISH_ACCENTS = ("en-us", "en", "en-gb-x-rp", "en-029", "en-gb-scotland", "en-us-nyc", "en-gb-x-gbclan",
                   "en-gb-x-gbcwmd")
HELD_OUT_VARIANTS = ("m5", "f4", "m6", "m7", "f5")
WIDE_RATE_RANGE = (110, 260)
WIDE_PITCH_RANGE = (5, 95)


def espeak_variants() -> list[str]:
    """The voice variants of the installed eSpeak NG data ("m1", "klatt3", "whisper", ...) but
    the held-out ones."""
    import os

    import espeakng_loader

    folder = os.path.join(espeakng_loader.get_data_path(), "voices", "!v")
    return sorted(name for name in os.listdir(folder) if " " not in name and name not in HELD_OUT_VARIANTS)


def sample_wide_voice(rng: np.random.Generator) -> Voice:
    """Any training accent and variant at a random rate, pitch, pitch range, word gap and volume."""
    variants = espeak_variants()
    return Voice(name=f"{ENGLISH_ACCENTS[int(rng.integers(len(ENGLISH_ACCENTS)))]}+"
                      f"{variants[int(rng.integers(len(variants)))]}",
                 rate=int(rng.integers(WIDE_RATE_RANGE[0], WIDE_RATE_RANGE[1] + 1)),
                 pitch=int(rng.integers(WIDE_PITCH_RANGE[0], WIDE_PITCH_RANGE[1] + 1)),
                 pitch_range=int(rng.integers(0, 100)), word_gap=int(rng.integers(0, 11)),
                 volume=int(rng.integers(60, 161)))


def add_mild_noise(waveform: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Scale to a random peak and add white noise at a random SNR of 25-40 dB."""
    waveform = waveform / max(float(np.abs(waveform).max()), 1e-6) * rng.uniform(*PEAK_RANGE)
    signal_power = float(np.mean(waveform ** 2)) + 1e-12
    snr_db = rng.uniform(*SNR_DB_RANGE)
    noise = rng.normal(0.0, np.sqrt(signal_power / 10 ** (snr_db / 10)), waveform.shape)
    return np.clip(waveform + noise, -1.0, 1.0).astype(np.float32)


class Espeak:
    """One eSpeak NG engine. The library is process-global, so there is one per process."""

    _instance = None
    _lock = threading.Lock()

    @classmethod
    def get(cls) -> "Espeak":
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def __init__(self):
        import espeakng_loader

        self._lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self._libc = ctypes.CDLL(None)
        self._lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self._lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self._lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        self._lib.espeak_Synth.argtypes = [
            ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
            ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
        ]
        data_path = espeakng_loader.get_data_path().encode()
        self.native_rate = self._lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, 0)
        if self.native_rate <= 0:
            raise RuntimeError(f"eSpeak NG failed to initialise from {data_path!r}")
        self._chunks: list[np.ndarray] = []
        self._callback = _SYNTH_CALLBACK(self._collect)  # kept referenced: C holds the pointer
        self._lib.espeak_SetSynthCallback(self._callback)

    def _collect(self, samples, count, events):
        if count > 0:
            self._chunks.append(np.ctypeslib.as_array(samples, shape=(count,)).copy())
        return 0

    def speak(self, text: str, voice: Voice) -> np.ndarray:
        """`text` spoken by `voice`: float32 mono at 16 kHz in [-1, 1]."""
        if not text.strip():
            raise ValueError("text: nothing to speak (empty text)")
        if self._lib.espeak_SetVoiceByName(voice.name.encode()) != 0:
            raise ValueError(f"voice: eSpeak NG has no voice {voice.name!r}")
        self._lib.espeak_SetParameter(_ESPEAK_RATE, voice.rate, 0)
        self._lib.espeak_SetParameter(_ESPEAK_PITCH, voice.pitch, 0)
        self._lib.espeak_SetParameter(_ESPEAK_RANGE, voice.pitch_range, 0)
        self._lib.espeak_SetParameter(_ESPEAK_WORDGAP, voice.word_gap, 0)
        self._lib.espeak_SetParameter(_ESPEAK_VOLUME, voice.volume, 0)
        self._chunks = []
        self._libc.srand(0)  # eSpeak NG draws breath noise from rand(), seeded by time at start
        self._lib.espeak_ng_SetRandSeed(ctypes.c_long(0))
        encoded = text.encode()
        status = self._lib.espeak_Synth(encoded, len(encoded) + 1, 0, _POS_CHARACTER, 0, 0, None, None)
        if status != 0 or not self._chunks:
            raise RuntimeError(f"eSpeak NG failed to speak {text!r} with {voice} (status {status})")
        native = np.concatenate(self._chunks).astype(np.float32) / 32768.0
        waveform = resample_poly(native, SAMPLE_RATE, self.native_rate).astype(np.float32)
        return waveform[: int(MAX_SECONDS * SAMPLE_RATE)]


@dataclasses.dataclass(frozen=True)
class FestivalVoice:
    """A Festival voice at a duration stretch (above 1: slower) and a mean pitch in Hz."""

    name: str = "ked_diphone"
    stretch: float = 1.0
    pitch_hz: int = 110

    def __str__(self):
        return f"festival:{self.name}/stretch{self.stretch:.2f}/pitch{self.pitch_hz}"


# Festival (concatenated diphones: another method than eSpeak's formant synthesis) is a second
# engine for held-out-engine experiments. Voices built from the CMU ARCTIC or `kal` recordings
# are kept for evaluation outside the project and are refused here.
FESTIVAL_VOICES = ("ked_diphone",)
RESERVED_VOICE_MARKS = ("kal", "arctic", "cmu_us")
FESTIVAL_INSTALL = "apt-get install festival festvox-kdlpc16k"
STRETCH_RANGE = (0.85, 1.25)
FESTIVAL_PITCH_RANGE = (80, 160)


def festival_missing() -> str | None:
    """Why Festival cannot speak here (with how to install it), or None when it can."""
    import shutil

    if shutil.which("text2wave") is None:
        return f"Festival is not installed ({FESTIVAL_INSTALL})"
    return None


def sample_festival_voice(rng: np.random.Generator) -> FestivalVoice:
    return FestivalVoice(name=FESTIVAL_VOICES[int(rng.integers(len(FESTIVAL_VOICES)))],
                         stretch=round(float(rng.uniform(*STRETCH_RANGE)), 2),
                         pitch_hz=int(rng.integers(FESTIVAL_PITCH_RANGE[0], FESTIVAL_PITCH_RANGE[1] + 1)))


def festival_speak(text: str, voice: FestivalVoice) -> np.ndarray:
    """`text` spoken by Festival's `voice`: float32 mono at 16 kHz in [-1, 1]."""
    if any(mark in voice.name for mark in RESERVED_VOICE_MARKS):
        raise ValueError(f"voice: {voice.name} is kept for evaluation outside the project")
    if not text.strip():
        raise ValueError("text: nothing to speak (empty text)")
    missing = festival_missing()
    if missing:
        raise RuntimeError(missing)
    commands = [f"(voice_{voice.name})", f"(Parameter.set 'Duration_Stretch {voice.stretch})",
                f"(set! int_lr_params '((target_f0_mean {voice.pitch_hz}) (target_f0_std {voice.pitch_hz // 7}) "
                "(model_f0_mean 170) (model_f0_std 34)))"]
    return _spoken_by_program(
        "Festival", lambda wav: ["text2wave", "-o", wav] + [part for c in commands for part in ("-eval", c)],
        text, voice, stdin=text)


@dataclasses.dataclass(frozen=True)
class MbrolaVoice:
    """An MBROLA voice (`MBROLA_VOICES`) read by eSpeak NG's English front end, at a speaking
    rate, pitch and word gap (eSpeak's units: `Voice`)."""

    name: str = "us1"
    rate: int = 175
    pitch: int = 50
    word_gap: int = 0

    def __str__(self):
        return f"mbrola:{self.name}/rate{self.rate}/pitch{self.pitch}/gap{self.word_gap}"


# MBROLA (diphones recorded from people, concatenated with pitch-synchronous overlap-add) is a
# third synthesis method beside eSpeak's formants and Festival's LPC diphones, and its voices are
# of many real speakers: American and British English, and speakers of other languages reading
# English with their own diphones (an accent). Debian's eSpeak NG drives it (the wheel's data
# has no MBROLA voices); each voice is a Debian package of contrib/non-free.
MBROLA_VOICES = ("us1", "us2", "us3", "en1", "af1", "de1", "de2", "de3", "de4", "de5", "de6", "fr1", "fr4", "gr2",
                 "hu1", "nl2", "pl1", "ro1", "sw1", "sw2")
MBROLA_FOLDER = "/usr/share/mbrola"
MBROLA_INSTALL = ("apt-get install espeak-ng mbrola " + " ".join(f"mbrola-{name}" for name in MBROLA_VOICES)
                  + " (Debian's contrib and non-free components)")


def mbrola_voices() -> list[str]:
    """The `MBROLA_VOICES` installed here."""
    import os

    return [name for name in MBROLA_VOICES if os.path.isfile(os.path.join(MBROLA_FOLDER, name, name))]


def mbrola_missing() -> str | None:
    """Why MBROLA cannot speak here (with how to install it), or None when some voice can."""
    import shutil

    if shutil.which("espeak-ng") is None or shutil.which("mbrola") is None or not mbrola_voices():
        return f"MBROLA is not installed ({MBROLA_INSTALL})"
    return None


def sample_mbrola_voice(rng: np.random.Generator) -> MbrolaVoice:
    """Any installed MBROLA voice at a random rate, pitch and word gap."""
    names = mbrola_voices()
    return MbrolaVoice(name=names[int(rng.integers(len(names)))],
                       rate=int(rng.integers(WIDE_RATE_RANGE[0], WIDE_RATE_RANGE[1] + 1)),
                       pitch=int(rng.integers(PITCH_RANGE[0] - 20, PITCH_RANGE[1] + 21)),
                       word_gap=int(rng.integers(0, 6)))


def mbrola_speak(text: str, voice: MbrolaVoice) -> np.ndarray:
    """`text` spoken by MBROLA's `voice`: float32 mono at 16 kHz in [-1, 1]."""
    if voice.name not in MBROLA_VOICES:
        raise ValueError(f"voice: MBROLA voice {voice.name!r} is not one of {MBROLA_VOICES}")
    if not text.strip():
        raise ValueError("text: nothing to speak (empty text)")
    if voice.name not in mbrola_voices():
        raise RuntimeError(f"voice: MBROLA voice {voice.name!r} is not installed ({MBROLA_INSTALL})")
    espeak_voice = f"mb-{voice.name}" if voice.name in ("us1", "us2", "us3", "en1") else f"mb-{voice.name}-en"
    return _spoken_by_program(
        "MBROLA", lambda wav: ["espeak-ng", "-v", espeak_voice, "-s", str(voice.rate), "-p", str(voice.pitch),
                               "-g", str(voice.word_gap), "-w", wav, "--", text], text, voice)


@dataclasses.dataclass(frozen=True)
class PicoVoice:
    """SVOX Pico's voice of `language` at a speed and a pitch in percent of its own (100: as built)."""

    language: str = "en-US"
    speed: int = 100
    pitch: int = 100

    def __str__(self):
        return f"pico:{self.language}/speed{self.speed}/pitch{self.pitch}"


# SVOX Pico (a statistical, HMM-driven synthesizer: a fourth method) has one American and one
# British voice, both recorded by SVOX for it; its speed and pitch controls make speakers of them.
PICO_VOICES = ("en-US", "en-GB")
PICO_INSTALL = "apt-get install libttspico-utils (Debian's non-free component)"
PICO_SPEED_RANGE = (70, 140)
PICO_PITCH_RANGE = (60, 160)


def pico_missing() -> str | None:
    """Why Pico cannot speak here (with how to install it), or None when it can."""
    import shutil

    if shutil.which("pico2wave") is None:
        return f"Pico is not installed ({PICO_INSTALL})"
    return None


def sample_pico_voice(rng: np.random.Generator) -> PicoVoice:
    return PicoVoice(language=PICO_VOICES[int(rng.integers(len(PICO_VOICES)))],
                     speed=int(rng.integers(PICO_SPEED_RANGE[0], PICO_SPEED_RANGE[1] + 1)),
                     pitch=int(rng.integers(PICO_PITCH_RANGE[0], PICO_PITCH_RANGE[1] + 1)))


def pico_speak(text: str, voice: PicoVoice) -> np.ndarray:
    """`text` spoken by Pico's `voice`: float32 mono at 16 kHz in [-1, 1]."""
    from xml.sax.saxutils import escape

    if voice.language not in PICO_VOICES:
        raise ValueError(f"voice: Pico voice {voice.language!r} is not one of {PICO_VOICES}")
    if not text.strip():
        raise ValueError("text: nothing to speak (empty text)")
    missing = pico_missing()
    if missing:
        raise RuntimeError(missing)
    markup = f"<speed level='{voice.speed}'><pitch level='{voice.pitch}'>{escape(text)}</pitch></speed>"
    return _spoken_by_program("Pico", lambda wav: ["pico2wave", "-l", voice.language, "-w", wav, "--", markup],
                              text, voice)


def _spoken_by_program(engine: str, arguments, text: str, voice, stdin: str | None = None) -> np.ndarray:
    """What a synthesis program wrote to the WAV file named in `arguments(wav_path)`, read by
    `read_wav_mono`; a failure, or a file with no samples, is an error naming the engine, text and voice."""
    import subprocess
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix=f"mmzoo-{engine.lower()}-") as scratch:
        path = Path(scratch) / "spoken.wav"
        spoken = subprocess.run(arguments(str(path)), input=None if stdin is None else stdin.encode(),
                                capture_output=True, timeout=60)
        if spoken.returncode != 0 or not path.is_file() or path.stat().st_size <= 44:
            raise RuntimeError(f"{engine} failed to speak {text!r} with {voice}: {spoken.stderr.decode()[-300:]}")
        return read_wav_mono(path.read_bytes())


def read_wav_mono(data: bytes) -> np.ndarray:
    """16-bit mono WAV bytes as float32 at 16 kHz, at most `MAX_SECONDS`."""
    import io
    import wave

    with wave.open(io.BytesIO(data)) as reader:
        rate = reader.getframerate()
        native = np.frombuffer(reader.readframes(reader.getnframes()), "<i2").astype(np.float32) / 32768.0
    waveform = native if rate == SAMPLE_RATE else resample_poly(native, SAMPLE_RATE, rate).astype(np.float32)
    return waveform[: int(MAX_SECONDS * SAMPLE_RATE)]


@dataclasses.dataclass(frozen=True)
class Engine:
    """A synthesis engine run one utterance at a time: why it cannot speak here (None when it
    can), the names of its voices installed here, a random voice of it, and `speak(text, voice)`
    -> float32 at 16 kHz."""

    missing: Callable[[], str | None]
    voices: Callable[[], list[str]]
    sample_voice: Callable[[np.random.Generator], object]
    speak: Callable[[str, object], np.ndarray]


# eSpeak NG, the engine of the embedded data, speaks in batches (`synthesise`); these do not.
ENGINES = {"festival": Engine(festival_missing, lambda: list(FESTIVAL_VOICES), sample_festival_voice, festival_speak),
           "mbrola": Engine(mbrola_missing, mbrola_voices, sample_mbrola_voice, mbrola_speak),
           "pico": Engine(pico_missing, lambda: list(PICO_VOICES), sample_pico_voice, pico_speak)}


def synthesise(texts, voices) -> list[np.ndarray]:
    engine = Espeak.get()
    return [engine.speak(text, voice) for text, voice in zip(texts, voices)]
