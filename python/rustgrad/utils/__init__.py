"""``rustgrad.utils``: helpers that are not tensor ops (``rustgrad.utils.data``)."""

from rustgrad.utils import data

__all__ = ["data"]
