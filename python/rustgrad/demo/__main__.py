"""``python -m rustgrad.demo``: the chapter-2 tour, then training with reports and a plot."""

from __future__ import annotations

import argparse
import sys
import time

import rustgrad
from rustgrad.data_utils import load_data_fashion_mnist, load_digits_datasets
from rustgrad.demo import experiments
from rustgrad.demo.plot import plot_histories
from rustgrad.demo.tour import run_tour
from rustgrad.utils.data import DataLoader


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m rustgrad.demo",
        description="rustgrad's tour of d2l chapter 2, then linear regression, softmax "
        "regression, an MLP and an MLP with weight decay, trained with rustgrad.",
    )
    parser.add_argument(
        "--data-dir",
        help="folder with Fashion-MNIST IDX files (raw or .gz) "
        "to train on instead of the embedded 8x8 digits",
    )
    parser.add_argument("--epochs", type=int, default=20, help="epochs per classifier (20)")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="minibatch size (32 for the digits, 256 for --data-dir)",
    )
    parser.add_argument("--lr", type=float, default=0.1, help="learning rate (0.1)")
    parser.add_argument(
        "--weight-decay", type=float, default=1e-2, help="weight decay of the third model (0.01)"
    )
    parser.add_argument("--out", default="rustgrad-demo.png", help="path of the PNG plot")
    parser.add_argument("--seed", type=int, default=0, help="rustgrad.manual_seed (0)")
    parser.add_argument("--no-tour", action="store_true", help="skip the chapter-2 tour")
    return parser.parse_args(argv)


def load_classification(args):
    """``(train_iter, test_iter, num_inputs, description)`` for the chosen data set."""
    if args.data_dir:
        batch = args.batch_size or 256
        train_iter, test_iter = load_data_fashion_mnist(batch, root=args.data_dir)
        n_train, n_test = len(train_iter.dataset), len(test_iter.dataset)
        return (
            train_iter,
            test_iter,
            784,
            f"Fashion-MNIST IDX files in {args.data_dir} "
            f"({n_train} training / {n_test} test images)",
        )
    batch = args.batch_size or 32
    train, test, description = load_digits_datasets()
    text = f"{description}: {len(train)} training / {len(test)} test images"
    return DataLoader(train, batch, shuffle=True), DataLoader(test, batch), 64, text


def main(argv=None) -> int:
    args = parse_args(argv)
    rustgrad.manual_seed(args.seed)
    start = time.perf_counter()
    failures = 0
    if not args.no_tour:
        failures = run_tour()
        print(f"\nchapter-2 tour: {failures} example(s) failed")

    print("\n=== linear regression (d2l 3.3) on synthetic data: y = 2 x1 - 3.4 x2 + 4.2 ===")
    fit = experiments.linear_regression(num_epochs=3)
    print(f"learned w = [{fit['w1']:.4f}, {fit['w2']:.4f}], b = {fit['b']:.4f}")

    train_iter, test_iter, num_inputs, description = load_classification(args)
    print(f"\ndata: {description}")
    runs = experiments.classifiers(
        train_iter, test_iter, num_inputs, args.epochs, args.lr, args.weight_decay
    )

    print("\n=== summary ===")
    for name, history in runs.items():
        print(
            f"{name:>28}: train acc {history['train_acc'][-1]:.3f}, "
            f"test acc {history['test_acc'][-1]:.3f}, weight norm {history['weight_norm']:.3f}"
        )
    path = plot_histories(runs, args.out)
    if path is None:
        print("matplotlib is not installed: no plot written (pip install 'rustgrad[demo]')")
    else:
        print(f"plot written to {path}")
    print(f"total time {time.perf_counter() - start:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
