"""Tenants, the pure rules: reading the ERP's tenant export, checking record fields, segments."""
