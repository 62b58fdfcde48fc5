"""Experiments on wording, the pure rules: definitions, assignment, outcomes, statistics, simulation."""
