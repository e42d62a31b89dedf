"""Deduplication: normalise -> block -> score -> cluster; people's judgements win."""

from reviewkit.dedup.units import Unit, screening_units

__all__ = ["Unit", "screening_units"]
