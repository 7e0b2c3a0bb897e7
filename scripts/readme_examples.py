"""Write the inputs of the README's first commands, `docs/examples/`: a Shapes World test scene
(PNG) and a test caption spoken by an eSpeak NG voice that no model was trained on (WAV).
`tests/test_readme.py` runs those commands on them.

    python scripts/readme_examples.py
"""

import io
from pathlib import Path

import numpy as np
import soundfile
from PIL import Image

from mmzoo.data import preprocessing, shapes_world, speech_synthesis

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
SCENE_INDEX = 3  # a two-object scene of the test split
SPOKEN_CAPTION = "a small red circle above a large green square"
VOICE = speech_synthesis.Voice("en-gb-scotland+m6", rate=165, pitch=45)  # a test voice


def write_examples(folder: Path = EXAMPLES) -> dict[str, str]:
    """The files and what each says: the scene's caption and the spoken one."""
    folder.mkdir(parents=True, exist_ok=True)
    scene, image, _, _ = shapes_world.generate_scene(0, "test", SCENE_INDEX)
    png = io.BytesIO()
    Image.fromarray(np.asarray(image)).save(png, format="PNG", optimize=True)
    (folder / "scene.png").write_bytes(png.getvalue())
    waveform = speech_synthesis.Espeak.get().speak(SPOKEN_CAPTION, VOICE)
    soundfile.write(folder / "caption.wav", waveform, preprocessing.SAMPLE_RATE, subtype="PCM_16")
    return {"scene.png": shapes_world.caption_of(scene.objects), "caption.wav": SPOKEN_CAPTION}


if __name__ == "__main__":
    for name, says in write_examples().items():
        print(f"docs/examples/{name}: {says!r}")
