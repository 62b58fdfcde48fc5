"""Finding tenants by the contract id an officer types (`--tenant HC-100101`), and the contract
ids to print for tenant ids: one error for every unknown contract id."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from herinnering.adapters.db import AsyncConnection, Row, tenant_store
from herinnering.errors import NotFound
from herinnering.runtime import Runtime


async def by_contract_id(connection: AsyncConnection, contract_id: str) -> Row[Any]:
    """The tenant with this contract id, in the caller's transaction; NotFound names the option."""
    tenant = await tenant_store.by_external_id(connection, contract_id)
    if tenant is None:
        raise NotFound(f"--tenant: no tenant with contract id {contract_id!r}")
    return tenant


async def tenant(runtime: Runtime, contract_id: str) -> Row[Any]:
    async with runtime.db.begin() as connection:
        return await by_contract_id(connection, contract_id)


async def by_id(runtime: Runtime, tenant_id: int) -> Row[Any]:
    async with runtime.db.begin() as connection:
        tenant = await tenant_store.by_id(connection, tenant_id)
    if tenant is None:
        raise NotFound(f"tenant {tenant_id} does not exist")
    return tenant


async def contract_ids(runtime: Runtime, tenant_ids: Iterable[int]) -> dict[int, str]:
    """Tenant id -> contract id, for printing what a use case changed."""
    async with runtime.db.begin() as connection:
        return await tenant_store.contract_ids(connection, tenant_ids)
