"""Reminders, the use cases: plan, dispatch exactly once, delivery status, reconciliation,
WhatsApp sending and the template and wording checks."""
