"""The tutorial notebooks run top to bottom (tiny data, one epoch)."""

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from mmzoo.data import fsdd
from tests.local_http import unused_port

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
# What each notebook must have printed: its evaluation, and a bad input refused by name.
EXPECTED_OUTPUTS = {
    "01_fusion_classifier.ipynb": ["test: accuracy", "image: not an encoded image"],
    "02_image_captioning.ipynb": ["test          greedy bleu_1", "test          beam   bleu_1",
                                  "image: not an encoded image", "greedy", "serving_default"],
    "03_speech_recognition.ipynb": ["ctc        ", "attention  ", "word accuracy", "cer 0.", "over ",
                                    "stereo     -> audio: mono audio expected", "empty      -> audio: empty input",
                                    "truncated  -> audio: truncated WAV file", "not a WAV  -> audio: not a WAV file",
                                    "said:  ", "<- eSpeak NG, a held-out voice", "festival                 "],
    "04_text_to_image.ipynb": ["judge on real test images: attribute accuracy", "reconstruction  ", "gan             ",
                               "pixel std across 8 seeds", "captioner: ",
                               "'a large pink circle'    -> text: word(s) outside the vocabulary",
                               "' '                      -> text: empty caption"],
    "05_distillation.ipynb": ["teacher            ", "scratch student", "distilled student", "x faster)",
                              "T    1  alpha  0.5  test accuracy", "teacher weights unchanged: True",
                              "refused: audio: not a WAV file"],
    "06_dual_encoder.ipynb": ["test          text to image recall among 1000", "zero-shot on", "colour  accuracy",
                              "labels    1%: scratch", "same embeddings: True", "refused: image: not an encoded image",
                              "signatures: ['embed_image', 'embed_text', 'serving_default']"],
    "07_bilingual_text.ipynb": ["'a lareg red cirlce'", "[UNK]", "English: text-to-image recall@1",
                                "Chinese: text-to-image recall@1", "a Chinese caption's nearest English caption",
                                "Chinese: matching accuracy", "guesses:", "labels   1%: scratch",
                                "'pooled_output': (2, 128)"],
}
MINIMUM_PICTURES = {"01_fusion_classifier.ipynb": 2, "02_image_captioning.ipynb": 4, "03_speech_recognition.ipynb": 6,
                    "04_text_to_image.ipynb": 7, "05_distillation.ipynb": 3, "06_dual_encoder.ipynb": 3,
                    "07_bilingual_text.ipynb": 3}


def test_every_notebook_is_checked():
    assert sorted(p.name for p in NOTEBOOKS) == sorted(EXPECTED_OUTPUTS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, mmzoo_home, monkeypatch, tmp_path, request):
    expected, pictures = EXPECTED_OUTPUTS[path.name], MINIMUM_PICTURES[path.name]
    if "fsdd.recordings_dir" in path.read_text():  # it reads FSDD, or fetches it
        if fsdd.recordings_dir(required=False) or os.environ.get("MMZOO_REQUIRE_FSDD") == "1":
            monkeypatch.setenv("MMZOO_FSDD", str(request.getfixturevalue("fsdd_recordings")))
        else:  # absent, and the fetch fails (nothing listens there): the notebook goes on without it
            monkeypatch.setenv("MMZOO_FSDD_URL", f"http://127.0.0.1:{unused_port()}/fsdd.tar.gz")
            expected = expected + ["spoken Shapes captions stand in", "no FSDD"]
            pictures -= 1  # the digits' confusion matrix
    monkeypatch.setenv("MMZOO_NOTEBOOK_SIZE", "tiny")
    monkeypatch.setenv("MMZOO_NOTEBOOK_EPOCHS", "1")
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = "".join(o.get("text", "") for cell in notebook.cells for o in cell.get("outputs", []))
    for text in expected:
        assert text in outputs, f"{path.name}: no {text!r} among its outputs"
    images = sum(1 for cell in notebook.cells for o in cell.get("outputs", []) if "image/png" in o.get("data", {}))
    assert images >= pictures, f"{path.name}: {images} pictures"
    assert os.environ["MMZOO_HOME"] == str(mmzoo_home)
