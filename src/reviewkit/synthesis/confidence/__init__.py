"""Confidence in review findings: GRADE-CERQual worksheets and ConQual."""
