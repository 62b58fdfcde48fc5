"""Sub-commands of the `herinnering` CLI, one module per area; each has `register(commands)`."""
