"""Benchmarks of indexing, views and shape ops (run by benches/bench.py)."""


def cases(rg, np, torch):
    out = []

    def add(name, make):
        """`make(lib, module)` builds the callable for one library (or returns None)."""
        fns = {"rustgrad": make("rustgrad", rg), "numpy": make("numpy", np)}
        fns["torch"] = make("torch", torch) if torch is not None else None
        out.append((name, fns))

    def tensor(lib, mod, arr):
        return arr if lib == "numpy" else mod.from_numpy(arr)

    small = np.arange(16, dtype=np.float32).reshape(4, 4)
    big = np.random.default_rng(0).standard_normal((1000, 1000)).astype(np.float32)
    logits = np.random.default_rng(1).random((256, 10)).astype(np.float32)
    labels = np.random.default_rng(2).integers(0, 10, 256)
    vec = np.random.default_rng(3).standard_normal(1_000_000).astype(np.float32)

    def basic_slice(lib, mod):
        x = tensor(lib, mod, small.copy())
        return lambda: x[1:3, 1:]

    def int_index(lib, mod):
        x = tensor(lib, mod, small.copy())
        return lambda: x[-1]

    def slice_assign(lib, mod):
        x = tensor(lib, mod, small.copy())

        def f():
            x[0:2, :] = 12

        return f

    def pick_labels(lib, mod):
        y_hat = tensor(lib, mod, logits)
        y = tensor(lib, mod, labels)
        n = len(labels)
        return lambda: y_hat[range(n), y]

    def gather_labels(lib, mod):
        if lib == "numpy":
            return lambda: np.take_along_axis(logits, labels[:, None], 1)
        y_hat = tensor(lib, mod, logits)
        y = tensor(lib, mod, labels)
        return lambda: y_hat.gather(1, y.unsqueeze(1))

    def mask_select(lib, mod):
        x = tensor(lib, mod, vec)
        m = x > 0
        return lambda: x[m]

    def cat_rows(lib, mod):
        a = tensor(lib, mod, big)
        if lib == "numpy":
            return lambda: np.concatenate((a, a), axis=0)
        return lambda: mod.cat((a, a), dim=0)

    def transpose_copy(lib, mod):
        a = tensor(lib, mod, big)
        if lib == "numpy":
            return lambda: np.ascontiguousarray(a.T)
        return lambda: a.T.contiguous()

    def strided_copy(lib, mod):
        a = tensor(lib, mod, np.ascontiguousarray(big[:, :100]))
        if lib == "numpy":
            return lambda: np.ascontiguousarray(a[:, ::2])
        return lambda: a[:, ::2].contiguous()

    def reshape_view(lib, mod):
        a = tensor(lib, mod, big)
        return lambda: a.reshape(500, 2000)

    add("getitem X[1:3, 1:] (4x4)", basic_slice)
    add("getitem X[-1] (4x4)", int_index)
    add("setitem X[0:2, :] = 12 (4x4)", slice_assign)
    add("y_hat[range(256), y] (256x10)", pick_labels)
    add("gather(1, y) (256x10)", gather_labels)
    add("x[x > 0] (1e6)", mask_select)
    add("cat (1000x1000)x2", cat_rows)
    add("T.contiguous (1000x1000)", transpose_copy)
    add("x[:, ::2].contiguous (1000x100)", strided_copy)
    add("reshape view (1000x1000)", reshape_view)
    return out
