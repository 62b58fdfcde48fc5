"""`GET /api/tenants/{contract_id}`: one tenant's record for the ERP's connector.

    Authorization: Bearer <a token of `herinnering token create NAME`>   (401 otherwise)
    200 {"contract_id": "HC-100101", "name": …, "street": "Kerkstraat", "house_number": "12", …,
         "payment_method": "incasso", "mandate_id": "…", "mandate_date": "2019-02-14", …}
    404 {"error": "no tenant with that contract id"}
"""

from __future__ import annotations

from aiohttp import web

from herinnering.services.privacy import api_tokens
from herinnering.services.tenants import records as tenant_records
from herinnering.web.keys import RUNTIME


async def get_tenant(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    caller = await api_tokens.check(runtime, request.headers.get("Authorization", ""))
    if caller is None:
        return web.json_response({"error": "missing or wrong API token"}, status=401,
                                 headers={"WWW-Authenticate": 'Bearer realm="herinnering"'})
    contract_id = request.match_info["contract_id"]
    found = await tenant_records.record(runtime, contract_id, caller) if len(contract_id) <= 64 else None
    if found is None:
        return web.json_response({"error": "no tenant with that contract id"}, status=404)
    return web.json_response(found)


def setup(app: web.Application) -> None:
    app.router.add_get("/api/tenants/{contract_id}", get_tenant)
