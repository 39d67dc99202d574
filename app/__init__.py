"""Tamis: structured interview rubric and explained hiring recommendations."""

__version__ = "0.1.0"
