"""Tenants, the use cases: import, the record for connectors, segments and risk, the tenant's own
page and self-service, an officer's actions for a tenant."""
