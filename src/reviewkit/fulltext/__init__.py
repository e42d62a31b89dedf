"""Full texts: the reports sought after title/abstract screening, attached, requested
or not retrieved, kept in the project's ``fulltext/`` folder and its ``index.toml``."""

from reviewkit.fulltext.attach import attach_fulltext, mark_fulltext
from reviewkit.fulltext.index import fulltext_name
from reviewkit.fulltext.retrieval import RetrievalCounts, retrieval_counts, retrieval_rows
from reviewkit.fulltext.viewer import open_fulltext

__all__ = ["RetrievalCounts", "attach_fulltext", "fulltext_name", "mark_fulltext",
           "open_fulltext", "retrieval_counts", "retrieval_rows"]
