"""mmzoo: a TensorFlow/Keras 3 model zoo for multimodal deep learning."""

__version__ = "0.1.0"

from mmzoo.presets import list_presets, load_preset, load_serving  # noqa: E402

__all__ = ["list_presets", "load_preset", "load_serving", "__version__"]
