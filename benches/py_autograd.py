"""Autograd overhead: graph build + backward for tiny graphs (issue 5's benchmark cases)."""


def cases(rg, np, torch):
    def dot_case(lib):
        x = lib.arange(4.0, requires_grad=True)

        def run():
            y = 2 * lib.dot(x, x)
            y.backward()
            x.grad = None

        return run

    def chain_case(lib):
        x = lib.ones(1000, requires_grad=True)

        def run():
            y = x
            for _ in range(50):
                y = y * 1.0001
                y = y + 0.0001
            y.sum().backward()
            x.grad = None

        return run

    return [
        (
            "autograd 2*dot(x,x) + backward, 4 elem",
            {
                "rustgrad": dot_case(rg),
                "numpy": None,
                "torch": dot_case(torch) if torch else None,
            },
        ),
        (
            "autograd chain of 100 ops + backward, 1000 elem",
            {
                "rustgrad": chain_case(rg),
                "numpy": None,
                "torch": chain_case(torch) if torch else None,
            },
        ),
    ]
