"""Fixtures shared by the integration tests of one area (the rest are in tests/conftest.py)."""

from tests.integration.payment_helpers import recorder

__all__ = ["recorder"]
