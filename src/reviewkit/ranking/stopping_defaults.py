"""The stopping rule's defaults, importable without numpy (status, settings).

Chosen in bench/stopping.py (docs/stopping.md) by the cases where the test's assumption
holds exactly, not by the shared datasets: random orders, and synthetic ranked orders
whose tail is flat (the ranker has found what it can; what is left is spread at random).
The test is checked after every record, so the chance of ever stopping short is larger
than the level of one test:

- the published test (every urn size) at 95% stopped short of 95% recall in 19% of
  random orders at 30% prevalence, and in 10 of 120 runs on the shared sets (all on
  Cohen_2006_AtypicalAntipsychotics, whose ranked tail is flat);
- urns of at least a fifth of the records screened fixed those (4.3% in random order,
  120 of 120 on the shared sets), but on flat tails up to 14.5% of runs stopped short
  (over 5% on 21 of 26 shapes);
- at 99% with that smallest urn, at most 4.0% of runs stopped short on every shape
  tried (26 shapes, 6,800 synthetic orders), and 120 of 120 on the shared sets (lowest
  recall 0.970).

So each check is at the 99% level, and what a reviewer is told is that the rule, checked
after every decision, reached the target in at least 95% of simulated reviews.
"""

# Level of each single test (the p-value is compared with 1 - DEFAULT_CONFIDENCE).
DEFAULT_CONFIDENCE = 0.99

# What the default rule, checked after every decision, was measured to keep: the share
# of simulated reviews reaching the target (bench/stopping.py prints it against this).
DEFAULT_PROMISE = 0.95

# Smallest urn the test may take, as a share of the records screened (0 = every urn
# size, the published test).
DEFAULT_MIN_URN = 0.2


def percent(x: float) -> str:
    """x as a percentage with the decimals it needs: 0.95 "95%", 0.999 "99.9%" (":.0%"
    said "100%", a recall or confidence nobody set)."""
    value = x * 100
    for digits in range(4):
        if abs(round(value, digits) - value) < 1e-9:
            break
    return f"{value:.{digits}f}%"
