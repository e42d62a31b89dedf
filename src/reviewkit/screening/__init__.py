"""Dual screening: decision events, stages, reviewers, blind view, conflicts, agreement.

Text files are the truth: each reviewer appends to screening/<stage>/<reviewer>.jsonl.
Everything else here is computed from those logs and the store's units.
"""

from reviewkit.screening.agreement import cohen_kappa
from reviewkit.screening.config import DECISIONS, ScreeningConfig, screening_config
from reviewkit.screening.data import Screening
from reviewkit.screening.log import Problem
from reviewkit.screening.order import OrderSource, register_order
from reviewkit.screening.problems import screening_problems
from reviewkit.screening.ranked import ranked_order, stopping
from reviewkit.screening.review import agreement, conflicts, resolve, screening_status
from reviewkit.screening.reviewers import add_reviewer, resolve_reviewer
from reviewkit.screening.session import ScreenSession

__all__ = ["DECISIONS", "OrderSource", "Problem", "ScreenSession", "Screening",
           "ScreeningConfig", "add_reviewer", "agreement", "cohen_kappa", "conflicts",
           "register_order", "ranked_order", "resolve", "resolve_reviewer", "screening_config",
           "screening_problems", "screening_status", "stopping"]
