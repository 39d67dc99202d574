"""Red-flag suggestions from a candidate's own words: cues kept as data beside the rubric."""
