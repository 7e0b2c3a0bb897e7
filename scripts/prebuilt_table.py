"""Print the README's table of prebuilt models from their model cards (the figures are never
typed in by hand).

    python scripts/prebuilt_table.py
"""

from mmzoo import presets


def main():
    print("| preset | task | fusion | parameters | test accuracy | other splits | size of files |")
    print("|---|---|---|---|---|---|---|")
    for name in presets.list_presets():
        card = presets.model_card(name)
        metrics = card["metrics"]
        others = ", ".join(f"{split} {values['accuracy']:.4f}" for split, values in metrics.items() if split != "test")
        size = sum(p.stat().st_size for p in presets.preset_dir(name).rglob("*") if p.is_file())
        print(f"| `{name}` | {card['task']['name']} | {card['model_args'].get('fusion', '')} | "
              f"{card['parameters']:,} | {metrics['test']['accuracy']:.4f} | {others or '-'} | "
              f"{size / 2**20:.1f} MB |")


if __name__ == "__main__":
    main()
