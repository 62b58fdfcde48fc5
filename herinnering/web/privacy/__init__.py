"""Privacy and access on the web: the audit log and the team's accounts."""
