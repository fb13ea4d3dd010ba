"""Reading and writing the IDX format of MNIST and Fashion-MNIST (raw or gzip-compressed).

An IDX file starts with two zero bytes, a type byte (0x08 = unsigned byte, ...), the number of
dimensions, then one big-endian 32-bit size per dimension, then the data in C order.
"""

from __future__ import annotations

import gzip
import os
import struct

import numpy as np

_TYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {np.dtype(v).newbyteorder("="): k for k, v in _TYPES.items()}


def _open(path: str):
    with open(path, "rb") as f:
        magic = f.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def read_idx(path: str) -> np.ndarray:
    """The array stored in the IDX file ``path`` (gzip detected from the file's first bytes).

    Example:
        >>> import numpy as np, tempfile, os
        >>> from rustgrad.data_utils.idx import read_idx, write_idx
        >>> path = os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte.gz")
        >>> write_idx(path, np.array([3, 1, 4], dtype=np.uint8))
        >>> read_idx(path)
        array([3, 1, 4], dtype=uint8)
    """
    with _open(path) as f:
        header = f.read(4)
        if len(header) != 4 or header[0] != 0 or header[1] != 0:
            raise ValueError(f"{path} is not an IDX file (bad magic number)")
        code, ndim = header[2], header[3]
        if code not in _TYPES:
            raise ValueError(f"{path}: unknown IDX data type 0x{code:02x}")
        shape = struct.unpack(f">{ndim}I", f.read(4 * ndim))
        dtype = _TYPES[code]
        count = int(np.prod(shape, dtype=np.int64))
        data = f.read(count * dtype.itemsize)
    if len(data) != count * dtype.itemsize:
        raise ValueError(f"{path}: truncated IDX file (expected {count} items)")
    return np.frombuffer(data, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))


def write_idx(path: str, array: np.ndarray) -> None:
    """Writes ``array`` as an IDX file (gzip-compressed when ``path`` ends in ``.gz``).

    Example:
        >>> import numpy as np, tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "x-idx3-ubyte")
        >>> rustgrad.data_utils.idx.write_idx(path, np.zeros((2, 28, 28), dtype=np.uint8))
        >>> os.path.getsize(path)
        1584
    """
    array = np.ascontiguousarray(array)
    code = _CODES.get(array.dtype.newbyteorder("="))
    if code is None:
        raise ValueError(f"IDX cannot store dtype {array.dtype}")
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + array.astype(_TYPES[code]).tobytes()
    opener = gzip.open if os.fspath(path).endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(payload)
