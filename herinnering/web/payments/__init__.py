"""Payments on the web: the payments API, the payment page and providers' webhooks, the statement."""
