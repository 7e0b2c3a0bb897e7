"""Pictures and sounds of the data, for people: a captioned grid of scenes and a spoken caption."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import soundfile
from PIL import Image, ImageDraw, ImageFont

from mmzoo.data import speech_synthesis

CELL_SCALE = 3
CAPTION_LINES = 4
LINE_HEIGHT = 12


def captioned_grid(images, captions, columns=4) -> Image.Image:
    """Scenes upscaled 3x, each with its caption written under it."""
    font = ImageFont.load_default()
    cell = images[0].shape[0] * CELL_SCALE
    cell_height = cell + CAPTION_LINES * LINE_HEIGHT + 6
    rows = -(-len(images) // columns)
    grid = Image.new("RGB", (columns * (cell + 8), rows * cell_height), "white")
    draw = ImageDraw.Draw(grid)
    for number, (image, caption) in enumerate(zip(images, captions)):
        x, y = (number % columns) * (cell + 8), (number // columns) * cell_height
        tile = Image.fromarray(np.asarray(image, np.uint8).squeeze()).resize((cell, cell), Image.NEAREST)
        grid.paste(tile, (x, y))
        for line_number, line in enumerate(textwrap.wrap(caption, 30)[:CAPTION_LINES]):
            draw.text((x, y + cell + 2 + line_number * LINE_HEIGHT), line, fill="black", font=font)
    return grid


def write_atomically(path: Path, write):
    """Call `write(temporary_path)`, then move the finished file to `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        write(partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def show_shapes_world(out_dir, split="train", size="default", seed=0, count=16, home=None) -> dict[str, Path]:
    """Write `shapes_{split}.png` (a grid of `count` scenes) and `shapes_{split}_caption.wav`."""
    from mmzoo.data import views

    scenes = list(views.shapes_world_records(split, "scenes", size, seed, home).take(count).as_numpy_iterator())
    speech = next(views.shapes_world_records(split, "speech", size, seed, home).as_numpy_iterator())
    out_dir = Path(out_dir)
    grid = captioned_grid([s["image"] for s in scenes], [s["caption"].decode() for s in scenes])
    grid_path = write_atomically(out_dir / f"shapes_{split}.png", lambda p: grid.save(p, format="PNG"))
    wav_path = write_atomically(
        out_dir / f"shapes_{split}_caption.wav",
        lambda p: soundfile.write(str(p), speech["audio"], speech_synthesis.SAMPLE_RATE,
                                  subtype="PCM_16", format="WAV"))
    return {"grid": grid_path, "wav": wav_path, "caption": speech["caption"].decode(),
            "voice": speech["voice"].decode()}
