from __future__ import annotations

from herinnering.adapters.db.engine import Database


async def test_only_one_process_at_a_time_holds_the_planning_lock(db_url: str) -> None:
    first, second = Database(db_url), Database(db_url)
    try:
        async with first.try_lock("plan") as mine:
            assert mine
            async with second.try_lock("plan") as theirs:
                assert theirs is (first.dialect == "sqlite")  # SQLite: one process by design
        async with second.try_lock("plan") as theirs:
            assert theirs  # released
    finally:
        await first.close()
        await second.close()
