"""herinnering's benchmark suite: each workload measured beside the design a user would
otherwise hand-build, in the same run, on the same database. `python -m bench --help`."""
