"""`reviewkit demo`: a complete small review built from real labelled records."""

from reviewkit.demo.build import build_demo

__all__ = ["build_demo"]
