"""Deduplication: normalise -> block -> score -> cluster; people's judgements win."""

from reviewkit.dedup.units import Unit, merged_record, screening_units

__all__ = ["Unit", "merged_record", "screening_units"]
