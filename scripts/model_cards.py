"""Write the model card of every prebuilt model, `saved_models/<name>/README.md`, from its files
and the result files (`mmzoo.export.cards`); run it after training or exporting a model again.

    python scripts/model_cards.py [NAME ...]
"""

import argparse
import os


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from mmzoo.export.cards import write_model_cards

    for path in write_model_cards(args.names or None):
        print(path)


if __name__ == "__main__":
    main()
