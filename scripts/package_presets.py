"""Package the prebuilt models for download: `OUT/<name>-<version>.tar.gz` for every model in
`saved_models/` (its run files and newest SavedModel, byte-stable), and their index, written to
`OUT/preset_index.json` and to the package (`mmzoo/preset_index.json`), which a wheel carries.
With `--names`, only those entries of the package's index are replaced; the others stay.

    python scripts/package_presets.py OUT [--names fusion_avdigits speech_fsdd] [--no-package-index]

Upload OUT's archives where MMZOO_PRESETS_URL (default: the project's release) points.
"""

import argparse
import json
import os
from pathlib import Path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--names", nargs="+", default=None, help="default: every prebuilt model")
    parser.add_argument("--no-package-index", action="store_true", help="write the index to OUT only")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from mmzoo import presets

    names = args.names or [name for name in presets.list_presets() if (presets.SAVED_MODELS / name).is_dir()]
    args.out.mkdir(parents=True, exist_ok=True)
    index = {"format": 1, "presets": {}}
    for name in names:
        index["presets"][name] = presets.package_preset(name, args.out)
        print(f"{index['presets'][name]['archive']}: {index['presets'][name]['size']:,} bytes", flush=True)
    (args.out / "preset_index.json").write_text(json.dumps(index, indent=2, sort_keys=True) + "\n")
    if not args.no_package_index:
        package_index = json.loads(presets.INDEX.read_text()) if args.names and presets.INDEX.exists() else index
        package_index["presets"].update(index["presets"])
        presets.INDEX.write_text(json.dumps(package_index, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
