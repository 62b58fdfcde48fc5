"""Legal steps, the pure rules: the MVI steps of a case and the early-warning (Wgs) gate."""
