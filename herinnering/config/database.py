"""`[database]`: SQLite for one process, PostgreSQL (perhaps behind PgBouncer) for a fleet."""

from __future__ import annotations

from dataclasses import dataclass

from herinnering.config.dispatch import DispatchSettings
from herinnering.config.validator import Section


@dataclass(frozen=True)
class DatabaseSettings:
    url: str
    pool_size: int            # connections per process; 0: the sends in flight (dispatch.concurrency) + 8
    transaction_pooler: bool  # behind PgBouncer in transaction mode: no prepared statements kept

    def connections(self, dispatch: DispatchSettings) -> int:
        """The pool size a process opens: what it has in flight at once, with room for the rest."""
        return self.pool_size or dispatch.concurrency + 8


def parse(s: Section) -> DatabaseSettings:
    url = s.text("url")
    if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise s.fail("url", url, "a sqlite+aiosqlite:/// or postgresql+asyncpg:// URL")
    return DatabaseSettings(url=url, pool_size=s.integer("pool_size", 0, 1000),
                            transaction_pooler=s.flag("transaction_pooler"))
