"""Where mmzoo keeps what it builds."""

import os
from pathlib import Path


def mmzoo_home() -> Path:
    """The cache root: `$MMZOO_HOME`, or `~/.cache/mmzoo`."""
    return Path(os.environ.get("MMZOO_HOME", Path.home() / ".cache" / "mmzoo")).expanduser()
