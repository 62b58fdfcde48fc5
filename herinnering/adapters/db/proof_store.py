"""SQL for the proof bundle: everything recorded about one tenant and case, each list in the
order a judge reads it (the case itself comes from `case_store`, letters from `letter_store`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from herinnering.adapters.db.collection_tables import arrangements, arrears_cases
from herinnering.adapters.db.consent_tables import whatsapp_consents
from herinnering.adapters.db.conversation_tables import audit_log, thread_messages, threads, users
from herinnering.adapters.db.legal_tables import municipal_feedback, post_batches
from herinnering.adapters.db.payment_tables import payment_periods, payment_transactions
from herinnering.adapters.db.tables import messages, tasks


async def _all(connection: AsyncConnection, statement: Any) -> list[Row[Any]]:
    return list((await connection.execute(statement)).fetchall())


async def latest_case(connection: AsyncConnection, tenant_id: int) -> Row[Any] | None:
    """The tenant's most recently opened case that was not merged into another."""
    statement = select(arrears_cases).where(arrears_cases.c.tenant_id == tenant_id,
                                            arrears_cases.c.merged_into.is_(None))
    return (await connection.execute(statement.order_by(arrears_cases.c.opened_at.desc(),
                                                        arrears_cases.c.id.desc()).limit(1))).first()


async def municipal_answers(connection: AsyncConnection, case_id: int) -> list[Row[Any]]:
    return await _all(connection, select(municipal_feedback).where(municipal_feedback.c.case_id == case_id)
                      .order_by(municipal_feedback.c.answered_on))


async def batch_seal(connection: AsyncConnection, batch_id: int) -> Row[Any] | None:
    """A post batch's id and the sha256 of its PDF."""
    return (await connection.execute(select(post_batches.c.id, post_batches.c.pdf_sha256).where(
        post_batches.c.id == batch_id))).first()


async def messages_of(connection: AsyncConnection, tenant_id: int) -> list[Row[Any]]:
    return await _all(connection, select(messages).where(messages.c.tenant_id == tenant_id)
                      .order_by(messages.c.send_at, messages.c.id))


async def consents_of(connection: AsyncConnection, tenant_id: int) -> list[Row[Any]]:
    return await _all(connection, select(whatsapp_consents).where(whatsapp_consents.c.tenant_id == tenant_id)
                      .order_by(whatsapp_consents.c.agreed_at))


async def conversation_of(connection: AsyncConnection, tenant_id: int) -> list[Row[Any]]:
    return await _all(connection, select(thread_messages).join(threads, threads.c.id == thread_messages.c.thread_id)
                      .where(threads.c.tenant_id == tenant_id).order_by(thread_messages.c.created_at))


async def tasks_of(connection: AsyncConnection, tenant_id: int) -> list[Row[Any]]:
    return await _all(connection, select(tasks).where(tasks.c.tenant_id == tenant_id).order_by(tasks.c.id))


async def audit_of(connection: AsyncConnection, tenant_id: int) -> list[Row[Any]]:
    """The officers' actions on this tenant, with the officer's name as `user_name`."""
    return await _all(connection, select(audit_log, users.c.name.label("user_name"))
                      .outerjoin(users, users.c.id == audit_log.c.user_id)
                      .where(audit_log.c.tenant_id == tenant_id).order_by(audit_log.c.at, audit_log.c.id))


async def periods_of(connection: AsyncConnection, tenant_id: int) -> list[Row[Any]]:
    return await _all(connection, select(payment_periods).where(payment_periods.c.tenant_id == tenant_id)
                      .order_by(payment_periods.c.period))


async def transactions_of(connection: AsyncConnection, tenant_id: int) -> list[Row[Any]]:
    return await _all(connection, select(payment_transactions).where(payment_transactions.c.tenant_id == tenant_id)
                      .order_by(payment_transactions.c.id))


async def arrangements_of(connection: AsyncConnection, tenant_id: int) -> list[Row[Any]]:
    return await _all(connection, select(arrangements).where(arrangements.c.tenant_id == tenant_id))

