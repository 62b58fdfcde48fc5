"""SQL for letters and post batches: what was generated, batched and posted, and the ladder's
written-reminder tasks a posted letter closes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.collection_tables import ladder_steps
from herinnering.adapters.db.legal_tables import letters, post_batches
from herinnering.adapters.db.tables import tasks


async def costs_posted_since(connection: AsyncConnection, tenant_id: int, since: date) -> int:
    """The collection costs named in the tenant's letters posted on or after `since`."""
    total = (await connection.execute(select(func.coalesce(func.sum(letters.c.costs_cents), 0)).where(
        letters.c.tenant_id == tenant_id, letters.c.state == "posted", letters.c.posted_on >= since))).scalar()
    return int(total or 0)


async def of_kind(connection: AsyncConnection, case_id: int, kind: str) -> Row[Any] | None:
    """The case's letter of this kind, if one was generated (once per case)."""
    return (await connection.execute(select(letters.c.generated_on, letters.c.state).where(
        letters.c.case_id == case_id, letters.c.kind == kind))).first()


async def insert(connection: AsyncConnection, **values: Any) -> int:
    return int((await connection.execute(letters.insert().values(**values).returning(letters.c.id))).scalar_one())


async def get(connection: AsyncConnection, letter_id: int) -> Row[Any] | None:
    return (await connection.execute(select(letters).where(letters.c.id == letter_id))).first()


async def unbatched_paper(connection: AsyncConnection) -> list[Row[Any]]:
    """Generated paper letters not in a post batch yet, oldest first (with their PDFs)."""
    return list((await connection.execute(
        select(letters.c.id, letters.c.kind, letters.c.pdf, letters.c.pdf_sha256, letters.c.principal_cents,
               letters.c.costs_cents, letters.c.planned_post_on, letters.c.tenant_id, letters.c.case_id)
        .where(letters.c.state == "generated", letters.c.channel == "letter", letters.c.post_batch_id.is_(None))
        .order_by(letters.c.id))).fetchall())


async def insert_batch(connection: AsyncConnection, letter_ids: Sequence[int], **values: Any) -> int:
    """A new post batch holding these letters."""
    batch_id = int((await connection.execute(
        post_batches.insert().values(**values).returning(post_batches.c.id))).scalar_one())
    await connection.execute(update(letters).where(letters.c.id.in_(list(letter_ids))).values(post_batch_id=batch_id))
    return batch_id


async def batch(connection: AsyncConnection, batch_id: int) -> Row[Any] | None:
    return (await connection.execute(select(post_batches).where(post_batches.c.id == batch_id))).first()


async def in_batch(connection: AsyncConnection, batch_id: int) -> list[Row[Any]]:
    return list((await connection.execute(
        select(letters).where(letters.c.post_batch_id == batch_id).order_by(letters.c.id))).fetchall())


async def set_batch_posted(connection: AsyncConnection, batch_id: int, posted_on: date, by: str,
                           now: datetime) -> None:
    await connection.execute(update(post_batches).where(post_batches.c.id == batch_id).values(
        state="posted", posted_on=posted_on, posted_by=by[:64], posted_at=now))


async def set_posted(connection: AsyncConnection, letter_id: int, **values: Any) -> bool:
    """Move a generated letter to posted; False when it was posted meanwhile."""
    moved = await connection.execute(update(letters).where(letters.c.id == letter_id, letters.c.state == "generated")
                                     .values(**values))
    return moved.rowcount == 1


async def open_written_reminder_tasks(connection: AsyncConnection, case_id: int) -> list[Row[Any]]:
    """The case's ladder tasks "send a written reminder" still open."""
    ladder_tasks = select(ladder_steps.c.task_id).where(ladder_steps.c.case_id == case_id,
                                                         ladder_steps.c.task_id.is_not(None))
    return list((await connection.execute(select(tasks.c.id, tasks.c.data).where(
        tasks.c.id.in_(ladder_tasks), tasks.c.kind == "written_reminder", tasks.c.state == "open"))).fetchall())


async def close_task(connection: AsyncConnection, task_id: int, data: dict[str, Any], by: str,
                     now: datetime) -> None:
    """Done by the officer who posted the letter (unlike `task_store.finish`, which keeps the holder)."""
    await connection.execute(update(tasks).where(tasks.c.id == task_id, tasks.c.state == "open").values(
        state="done", done_at=now, updated_at=now, assigned_to=by[:64], data=data))


async def of_case(connection: AsyncConnection, case_id: int) -> list[Row[Any]]:
    return list((await connection.execute(
        select(letters).where(letters.c.case_id == case_id).order_by(letters.c.generated_on, letters.c.id))).fetchall())


async def batches(connection: AsyncConnection) -> list[Row[Any]]:
    """Every post batch, newest first (without the PDF)."""
    columns = [c for c in post_batches.c if c.name != "pdf"]
    return list((await connection.execute(select(*columns).order_by(post_batches.c.id.desc()))).fetchall())


async def batch_pdf(connection: AsyncConnection, batch_id: int) -> bytes | None:
    return (await connection.execute(select(post_batches.c.pdf).where(post_batches.c.id == batch_id))).scalar()
