"""Export prebuilt models again with this code's serving graph (its input checks and outputs),
from their own `.keras` files, weights unchanged: each becomes its next version in
`saved_models/`, the older versions removed, and its model card written again. Then refresh
the package's index: `python scripts/package_presets.py OUT`.

    python scripts/export_prebuilt_again.py [NAME ...]     (default: every prebuilt model)
"""

import argparse
import os


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from mmzoo import presets
    from mmzoo.export.cards import write_model_cards
    from mmzoo.export.runs import export_again

    for name in args.names or presets.list_presets():
        print(export_again(presets.preset_dir(name)), flush=True)
        write_model_cards([name])


if __name__ == "__main__":
    main()
