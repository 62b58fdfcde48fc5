"""Experiments, the use cases: assign, expose, convert; the admin screen, report and simulation."""
