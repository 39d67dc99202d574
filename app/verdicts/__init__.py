"""Verdicts: which rubric and rules version scores a candidate, stored verdicts and their replay,
the panel verdict, and the explicit move to the current rules (rescore)."""
