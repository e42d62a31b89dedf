"""The dedup method's version, apart from the method so that checking it loads nothing.

Bump when the method changes what it decides: stored clusters are recomputed. Every
command's refresh compares it; the engine (rapidfuzz, the rules) loads only to recompute."""

METHOD_VERSION = "5"  # 5: records indexed in id order (import order changes nothing)
