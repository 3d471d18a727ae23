"""Machinery shared by the chapters of the executable edition of Pedersen et al. 2004.

Chapters hold content and call these helpers; they define none of their own.
"""
from reviewkit.book import inputs

# In a kernel started by the book build, note every book file the chapter reads (see inputs).
inputs.record_reads()

from reviewkit.evidence.data import DataValidationError, load, load_table  # noqa: E402

__all__ = ["DataValidationError", "load", "load_table"]
