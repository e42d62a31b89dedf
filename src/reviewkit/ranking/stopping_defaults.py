"""The stopping rule's defaults, importable without numpy (status, settings).

Chosen by the worst of the twelve shared datasets in bench/stopping.py (docs/stopping.md).
The published test (every urn size) at a nominal 95%, checked after every record, stopped
short of 95% recall in 10 of 120 runs, all on Cohen_2006_AtypicalAntipsychotics: there
the ranker's tail is flat, and a chance run of a few dozen irrelevant records, taken as
the urn, rejected H0. Requiring the urn to hold at least a tenth of the records screened
removes those short urns: at 95% every one of the 120 runs reached 95% recall (lowest
0.961), saving 18.2% of the screening (20.4% on the old eight sets; the published test at
99%, the previous default, saved 13.4% and 14.7%).
"""

DEFAULT_CONFIDENCE = 0.95

# Smallest urn the test may take, as a share of the records screened (0 = every urn
# size, the published test).
DEFAULT_MIN_URN = 0.1
