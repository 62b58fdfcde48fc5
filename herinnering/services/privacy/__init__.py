"""Privacy and access, the use cases: export and purge, audit, officers' accounts, API tokens."""
