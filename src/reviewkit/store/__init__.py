"""The derived store: a rebuildable cache of everything read from the project."""

from reviewkit.store.base import Store
from reviewkit.store.sqlite import SQLiteStore, open_store

__all__ = ["SQLiteStore", "Store", "open_store"]
