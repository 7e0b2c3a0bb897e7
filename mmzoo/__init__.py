"""mmzoo: a TensorFlow/Keras 3 model zoo for multimodal deep learning."""

__version__ = "0.1.0"
