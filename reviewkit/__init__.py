"""Machinery shared by the chapters of the executable edition of Pedersen et al. 2004.

Chapters hold content and call these helpers; they define none of their own.
"""
from reviewkit.data import DataValidationError, load, load_table

__all__ = ["DataValidationError", "load", "load_table"]
