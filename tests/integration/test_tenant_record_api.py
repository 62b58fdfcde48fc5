"""`GET /api/tenants/{contract_id}` over real HTTP on SQLite and PostgreSQL: the record as the
import stored it, in the documented shape; no token, no data; every read audited."""

from __future__ import annotations

from typing import Any

import aiohttp
from openapi_schema_validator import OAS31Validator
from sqlalchemy import select

from herinnering.adapters.db.conversation_tables import audit_log
from herinnering.services.privacy import api_tokens
from herinnering.services.tenants.importing import import_tenants
from herinnering.web.openapi import document

ROW = ("huurcontract;naam;telefoon;huur;incassodag;iban;straat;huisnummer;postcode;woonplaats;gemeente;e-mail;"
       "ingangsdatum;einddatum;betaalwijze;machtigingskenmerk;datum machtiging;vooraankondiging\n"
       "HC-7;Zoë Hüseyin;06-12345678;845,50;5;NL91 ABNA 0417 1643 00;Kerkstraat;12a;1234ab;Amsterdam;0363;"
       "zoe@example.nl;01-03-2019;31-05-2027;incasso;DL-MND-0042;14-02-2019;5\n")


async def get(runtime: Any, path: str, token: str | None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as session, session.get(runtime.settings.server.public_url + path,
                                                               headers=headers) as answer:
        return answer.status, await answer.json()


async def test_a_connector_reads_the_whole_record_as_imported(runtime: Any) -> None:
    await import_tenants(runtime.db, ROW.encode("cp1252"), runtime.settings.reminders, runtime.clock)
    token = await api_tokens.create(runtime, "erp")
    status, body = await get(runtime, "/api/tenants/HC-7", token)
    assert status == 200
    OAS31Validator(document()["components"]["schemas"]["Tenant"]).validate(body)
    assert body | {"phone": "…"} == body | {
        "contract_id": "HC-7", "name": "Zoë Hüseyin", "phone": "…", "monthly_rent_cents": 84550, "collection_day": 5,
        "iban": "NL91ABNA0417164300", "street": "Kerkstraat", "house_number": "12", "house_number_addition": "A",
        "address": "Kerkstraat 12 A", "postal_code": "1234 AB", "city": "Amsterdam", "municipality": "GM0363",
        "email": "zoe@example.nl", "lease_start": "2019-03-01", "lease_end": "2027-05-31",
        "payment_method": "incasso", "mandate_id": "DL-MND-0042", "mandate_date": "2019-02-14",
        "pre_notification_days": 5, "active": True, "opted_out": False, "paused_until": None}
    async with runtime.db.begin() as connection:
        [read] = (await connection.execute(select(audit_log).where(audit_log.c.action == "api_read_tenant"))).all()
    assert read.user_email == "api:erp" and read.tenant_id is not None


async def test_no_token_no_data_and_an_unknown_contract_is_a_404(runtime: Any) -> None:
    await import_tenants(runtime.db, ROW.encode(), runtime.settings.reminders, runtime.clock)
    assert (await get(runtime, "/api/tenants/HC-7", None))[0] == 401
    assert (await get(runtime, "/api/tenants/HC-7", "hrn_wrong"))[0] == 401
    token = await api_tokens.create(runtime, "erp")
    assert await get(runtime, "/api/tenants/HC-8", token) == (404, {"error": "no tenant with that contract id"})
