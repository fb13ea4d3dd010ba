"""Print options of tensors (``set_printoptions``), kept apart from the printing code in
``rustgrad._tensor_str`` so that ``import rustgrad`` does not import NumPy."""

from __future__ import annotations

import math


class _PrintOptions:
    """The current print options (a plain class: ``dataclasses`` would import ``inspect``)."""

    __slots__ = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")

    def __init__(self) -> None:
        self.precision: int = 4
        self.threshold: float = 1000
        self.edgeitems: int = 3
        self.linewidth: int = 80
        self.sci_mode: bool | None = None


PRINT_OPTS = _PrintOptions()


def set_printoptions(
    precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None
):
    """Sets how tensors print, as ``torch.set_printoptions``.

    Args:
        precision: digits after the decimal point (default 4).
        threshold: element count above which the middle is summarized with ``...`` (1000).
        edgeitems: items shown at each end of a summarized dimension (3).
        linewidth: characters per line (80).
        profile: ``"default"``, ``"short"`` or ``"full"``.
        sci_mode: force (True) or forbid (False) scientific notation; None decides.

    Example:
        >>> rustgrad.set_printoptions(precision=2)
        >>> rustgrad.tensor([1.2345])
        tensor([1.23])
        >>> rustgrad.set_printoptions(profile="default")
    """
    if profile is not None:
        presets = {
            "default": (4, 1000, 3, 80),
            "short": (2, 1000, 2, 80),
            "full": (4, math.inf, 3, 80),
        }
        if profile not in presets:
            raise ValueError(f"unknown print profile {profile!r}")
        (PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth) = (
            presets[profile]
        )
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode
