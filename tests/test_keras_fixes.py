"""`mmzoo.training.keras_fixes` patches private names of Keras (and StrictTextVectorization
reads one); setup.cfg pins the releases that have them. If a Keras release moves one of them,
this fails first, naming it."""

import importlib

import keras
import pytest

PRIVATE_NAMES = {
    "keras.src.tree": ("map_structure",),
    "keras.src.backend.tensorflow.trainer": ("reduce_per_replica", "_collective_all_reduce_multi_worker",
                                              "_is_per_replica_instance"),
}


@pytest.mark.parametrize("module", sorted(PRIVATE_NAMES))
def test_the_private_keras_names_keras_fixes_patches_exist(module):
    found = importlib.import_module(module)
    missing = [name for name in PRIVATE_NAMES[module] if not hasattr(found, name)]
    assert not missing, f"Keras {keras.__version__} moved {module}.{missing}: update keras_fixes.py and the pin"


def test_the_private_text_vectorization_method_strict_text_vectorization_uses_exists():
    layer = keras.layers.TextVectorization(standardize="lower_and_strip_punctuation")
    words = layer._preprocess(["A red, circle!"])  # mmzoo.data.preprocessing.StrictTextVectorization counts words
    assert words.to_list() == [[b"a", b"red", b"circle"]], f"Keras {keras.__version__}: TextVectorization._preprocess"


def test_the_private_model_and_export_attributes_keras_fixes_uses_exist():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    assert callable(getattr(model, "_symbolic_build", None)), f"Keras {keras.__version__}: Model._symbolic_build"
    assert hasattr(model, "_maybe_symbolic_build"), f"Keras {keras.__version__}: Model._maybe_symbolic_build"
    archive = keras.export.ExportArchive()
    archive.track(model)
    tracked = getattr(archive, "_tf_trackable", None)
    assert tracked is not None and hasattr(tracked, "variables"), \
        f"Keras {keras.__version__}: ExportArchive._tf_trackable.variables"
