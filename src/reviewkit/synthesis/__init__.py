"""Qualitative evidence synthesis: codebook, sources, coding logs, anchors, matrix, quotes."""
