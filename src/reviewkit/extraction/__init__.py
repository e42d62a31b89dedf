"""Data extraction: forms as data, extraction records, dual-extraction comparison, tables."""
