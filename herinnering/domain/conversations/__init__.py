"""Conversations, the pure rules: keywords, the self-service dialogs, who answers a thread, phone calls."""
