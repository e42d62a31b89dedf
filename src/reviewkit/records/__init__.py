"""The normalised record model shared by every stage."""

from reviewkit.records.model import Record

__all__ = ["Record"]
