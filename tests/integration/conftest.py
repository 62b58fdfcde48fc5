"""Fixtures shared by the integration tests of one area (the rest are in tests/conftest.py)."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.integration.officer_browser import Browser
from tests.integration.payment_helpers import recorder

__all__ = ["recorder"]


@pytest.fixture
async def browser(runtime: Any) -> AsyncIterator[Any]:
    """Open officer browsers (officer_browser.Browser) against the running app; closed afterwards."""
    opened: list[Browser] = []

    def open_browser() -> Browser:
        opened.append(Browser(runtime.settings.server.public_url))
        return opened[-1]

    yield open_browser
    for b in opened:
        await b.session.close()
