"""Conversations, the use cases: inbound messages, threads, replies, the team work list."""
