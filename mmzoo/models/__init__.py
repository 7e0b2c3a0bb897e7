"""Model families, one folder each (model.py, layers.py, task.py, presets.py), and what several
of them share: encoders, in-graph decoding, teacher forcing, the `Task` base class."""
