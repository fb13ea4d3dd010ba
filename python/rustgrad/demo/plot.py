"""The demo's figure: loss and accuracy curves per model (matplotlib, Agg backend)."""

from __future__ import annotations

import os


def plot_histories(runs: dict[str, dict], path: str) -> str | None:
    """Writes a PNG with training loss, training accuracy and test accuracy per epoch for
    each model; returns its absolute path, or ``None`` when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    panels = [
        ("train_loss", "training loss"),
        ("train_acc", "training accuracy"),
        ("test_acc", "test accuracy"),
    ]
    fig, axes = plt.subplots(1, len(panels), figsize=(13, 3.8))
    for ax, (key, title) in zip(axes, panels):
        for name, history in runs.items():
            epochs = range(1, len(history[key]) + 1)
            ax.plot(epochs, history[key], marker="o", markersize=3, label=name)
        ax.set_title(title)
        ax.set_xlabel("epoch")
        ax.grid(True, alpha=0.3)
    axes[-1].legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return os.path.abspath(path)
