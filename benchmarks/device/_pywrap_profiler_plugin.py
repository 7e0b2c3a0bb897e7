"""Stand-in for TensorFlow's 90 MB profiler plugin, left out of the copy carried to a GPU
machine: TensorFlow imports the module at start-up and uses it only to profile."""


def __getattr__(name):
    raise ImportError(f"_pywrap_profiler_plugin.{name}: the profiler plugin is not installed here")
