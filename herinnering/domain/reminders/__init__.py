"""Reminders, the pure rules: when to send, what a provider answer means, SMS size, retries,
the circuit breaker, WhatsApp forms and the wording rules."""
