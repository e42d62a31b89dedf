"""reviewkit: systematic reviews from search log to PRISMA report."""

__version__ = "0.1.0"
