"""Conversations on the web: the inbound webhook, the officers' inbox and the work list."""
