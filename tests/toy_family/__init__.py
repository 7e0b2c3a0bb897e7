"""A toy model family, kept outside the package: what a new family is (this folder) and what it
takes to join the zoo (one `registry.register_family(FAMILY)`), shown by
tests/test_new_family.py."""

from mmzoo.models.family import Family, Option
from tests.toy_family.presets import PRESETS

FAMILY = Family(
    name="toy", model="toy_word_spotter", builder="tests.toy_family.model:word_spotter",
    tasks="tests.toy_family.task", presets=PRESETS, defaults={"task": "toy_red_words", "monitor": "val_loss"},
    options=(Option("--pooling", "pooling", "how the words are summed up", choices=("mean", "max")),),
    small_configs=(("toy_red_words", {"width": 8}),))
