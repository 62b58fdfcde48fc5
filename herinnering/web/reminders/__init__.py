"""Reminders on the web: Twilio's status webhook and the template preview."""
