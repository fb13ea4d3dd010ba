"""Linear regression from scratch, as in d2l section 3.2, written against PyTorch's API.

Run: python examples/linear_regression.py
"""

import random

import rustgrad as torch


def synthetic_data(w, b, num_examples):
    """y = Xw + b + noise."""
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


def data_iter(batch_size, features, labels):
    indices = list(range(len(features)))
    random.shuffle(indices)
    for i in range(0, len(indices), batch_size):
        batch = torch.tensor(indices[i : i + batch_size])
        yield features[batch], labels[batch]


def main():
    torch.manual_seed(0)
    random.seed(0)
    true_w, true_b = torch.tensor([2, -3.4]), 4.2
    features, labels = synthetic_data(true_w, true_b, 1000)
    w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    lr, batch_size = 0.03, 10
    for epoch in range(3):
        for X, y in data_iter(batch_size, features, labels):
            loss = ((X @ w + b - y) ** 2 / 2).sum()
            loss.backward()
            with torch.no_grad():
                for param in (w, b):
                    param -= lr * param.grad / batch_size
                    param.grad.zero_()
        with torch.no_grad():
            train_l = ((features @ w + b - labels) ** 2 / 2).mean()
        print(f"epoch {epoch + 1}, loss {float(train_l):f}")
    print(f"error in estimating w: {true_w - w.reshape(true_w.shape)}")
    print(f"error in estimating b: {true_b - b}")


if __name__ == "__main__":
    main()
