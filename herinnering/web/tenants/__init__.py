"""Tenants on the web: finding and opening a tenant, the tenant's own page, the tenant API, risk."""
