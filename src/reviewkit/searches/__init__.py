"""The search log (PRISMA-S): one TOML file per search under searches/."""

from reviewkit.searches.log import Search, add_search, load_searches

__all__ = ["Search", "add_search", "load_searches"]
