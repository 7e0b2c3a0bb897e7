"""Every prebuilt model has its model card, `saved_models/<name>/README.md`, and it agrees with
the model's files and the result files (it is what `scripts/model_cards.py` writes now)."""

import pytest

from mmzoo import presets
from mmzoo.export import cards


@pytest.mark.parametrize("name", [name for name in presets.list_presets() if presets.in_checkout(name)])
def test_the_model_card_agrees_with_the_models_files(name):
    path = presets.preset_dir(name) / presets.MODEL_CARD
    assert path.exists(), f"{name}: no model card; run `python scripts/model_cards.py {name}`"
    card = path.read_text()
    assert card == cards.model_card_markdown(name), f"{name}: run `python scripts/model_cards.py {name}`"
    for section in ("## Model details", "## Intended use", "## Limitations", "## Training data and procedure",
                    "## Evaluation", "## How to use", "## Licence and attribution"):
        assert section in card, section
