"""The OpenAPI 3.1 document of the machine-facing HTTP API, served at `GET /openapi.json`.

It describes what other machines call: the payments API, the providers' webhooks, the health
probes and the metrics. The officers' pages and the tenants' payment page are for people and
are left out. The document is plain data kept next to the handlers it describes;
`tests/fuzz/test_openapi_document.py` checks it against the OpenAPI schema and the app's routes,
and `tests/fuzz/test_schemathesis.py` runs schemathesis over it against the live app.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from herinnering import __version__
from herinnering.domain.changes import KINDS as CHANGE_KINDS

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
_ERROR = {"$ref": "#/components/schemas/Error"}


def _json(description: str, schema: dict[str, Any], headers: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description, "content": {JSON: {"schema": schema}}}
    if headers:
        answer["headers"] = headers
    return answer


def _text(description: str, media: str = "text/plain") -> dict[str, Any]:
    return {"description": description, "content": {media: {"schema": {"type": "string"}}}}


_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "string"}}}
_TWILIO_SIGNATURE = {
    "name": "X-Twilio-Signature", "in": "header", "required": True,
    "description": "HMAC-SHA1 (base64) of the public URL and the sorted POST parameters with the "
                   "Twilio auth token; a missing or wrong one gets 403 and changes nothing.",
    "schema": {"type": "string"},
}
_CENTS = {"type": "integer", "minimum": 0, "maximum": 9_999_999, "description": "euro cents"}


def _form(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    """A webhook's form body: the named fields, and whatever else the provider adds."""
    return {"required": True, "content": {FORM: {"schema": {
        "type": "object", "properties": properties, "required": required,
        "additionalProperties": {"type": "string"},
    }}}}


PAYMENT = {
    "type": "object",
    "description": "One result. `id` is the caller's idempotency key: the same id again stores nothing.",
    "required": ["id", "contract_id", "period"],
    "examples": [{"id": "bank-77812", "contract_id": "HC-100101", "period": "2026-12", "type": "return",
                  "amount_cents": 65636, "reason_code": "AM04"}],
    "properties": {
        "id": {"type": "string", "pattern": r"^[\w.:/-]{1,100}$"},
        "contract_id": {"type": "string", "minLength": 1, "examples": ["HC-100101"]},
        "period": {"type": "string", "pattern": r"^\s*[0-9]{4}-(0[1-9]|1[0-2])\s*$", "examples": ["2026-12"]},
        "type": {"type": "string", "enum": ["payment", "return", "statement"], "default": "payment"},
        "amount_cents": {**_CENTS, "description": "payment, return: euro cents, more than 0"},
        "reason_code": {"type": "string", "pattern": "^[A-Za-z0-9]{4}$", "description": "return: ISO reason (AM04 …)"},
        "amount_due_cents": {**_CENTS, "description": "statement"},
        "amount_paid_cents": {**_CENTS, "description": "statement"},
        "status": {"type": "string", "enum": ["expected", "paid", "partly_paid", "returned", "in_arrangement"]},
        "booked_on": {"type": "string", "format": "date", "description": "the bank's booking date (the ERP's "
                      "payment date); without it the payment is dated when it reaches us"},
        "value_on": {"type": "string", "format": "date", "description": "the value date, when known"},
    },
}

PERIOD_STATUS = {
    "type": "object",
    "required": ["tenant_id", "period", "status", "amount_due_cents", "amount_paid_cents", "outstanding_cents"],
    "properties": {
        "tenant_id": {"type": "integer"},
        "period": {"type": "string"},
        "status": {"type": "string"},
        "reason_code": {"type": ["string", "null"]},
        "amount_due_cents": {"type": "integer"},
        "amount_paid_cents": {"type": "integer"},
        "outstanding_cents": {"type": "integer"},
    },
}

INTAKE = {
    "type": "object",
    "required": ["stored", "duplicates", "periods"],
    "properties": {
        "stored": {"type": "integer", "minimum": 0},
        "duplicates": {"type": "integer", "minimum": 0},
        "periods": {"type": "array", "items": {"$ref": "#/components/schemas/PeriodStatus"}},
    },
}


def _payments_api() -> dict[str, Any]:
    return {"post": {
        "operationId": "postPayments",
        "summary": "Push payment results (one, or several all-or-nothing)",
        "security": [{"bearer": []}],
        "requestBody": {"required": True, "content": {JSON: {"schema": {"oneOf": [
            {"$ref": "#/components/schemas/Payment"},
            {"type": "object", "required": ["payments"], "properties": {
                "payments": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Payment"}}}},
        ]}}}},
        "responses": {
            "200": _json("nothing new: every id was seen before", {"$ref": "#/components/schemas/Intake"}),
            "201": _json("stored; each changed rent month with its new status", {"$ref": "#/components/schemas/Intake"}),
            "400": _json("the body is not JSON", _ERROR),
            "401": _json("missing or wrong API token", _ERROR,
                         {"WWW-Authenticate": {"schema": {"type": "string"}}}),
            "413": _text("the body is too large"),
            "422": _json("invalid; nothing stored, every problem named by its field", {
                "type": "object", "required": ["error", "problems"],
                "properties": {"error": {"type": "string"}, "problems": {"type": "array", "items": {"type": "string"}}},
            }),
            "429": _json("too many calls", _ERROR, _RETRY_AFTER),
        },
    }}


CHANGE = {
    "type": "object", "required": ["id", "cursor", "kind", "contract_id", "occurred_at", "data"],
    "description": "One change made in herinnering that the ERP or the bank must know. Delivered at least "
                   "once: drop a change whose id you already have.",
    "properties": {
        "id": {"type": "string", "pattern": "^chg-[0-9]+$", "description": "stable: the same change always has it"},
        "cursor": {"type": "integer", "minimum": 1, "description": "the feed's order; ask `after` it for what follows"},
        "kind": {"type": "string", "enum": list(CHANGE_KINDS)},
        "contract_id": {"type": "string", "examples": ["HC-100101"]},
        "occurred_at": {"type": "string", "format": "date-time"},
        "data": {"type": "object", "description": (
            "collection_day_changed: old_day, new_day, applies_from (YYYY-MM), source, day_change_id; "
            "collection_day_reversed: day_change_id; arrangement_made: arrangement_id, total_cents, count, first, "
            "every, periods; arrangement_completed / arrangement_cancelled: arrangement_id; pause_started: until "
            "(empty: open end); pause_ended; objection_recorded: channel; contract_ended: on; "
            "payment_method_changed: old, new, source; opted_out / opted_in: source; call_recorded: outcome, "
            "mvi_step, task_id; payment_matched: source_key, period, amount_cents, confidence, reasons; "
            "payment_match_undone: transaction_id, period, amount_cents. "
            "Free text (note, reason) only where [changes] include_notes is agreed.")},
    },
    "examples": [{"id": "chg-41", "cursor": 17, "kind": "collection_day_changed", "contract_id": "HC-100101",
                  "occurred_at": "2026-12-03T09:12:00+00:00",
                  "data": {"old_day": 1, "new_day": 15, "applies_from": "2027-01", "source": "tenant_page",
                           "day_change_id": 3}}],
}


def _changes_api() -> dict[str, Any]:
    return {"get": {
        "operationId": "getChanges",
        "summary": "The changes the ERP and the bank must know, in order, from a cursor",
        "security": [{"bearer": []}],
        "parameters": [
            {"name": "after", "in": "query", "required": False, "description": "the cursor of the last change you "
             "have (0 or absent: from the start)", "schema": {"type": "integer", "minimum": 0}},
            {"name": "limit", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
        ],
        "responses": {
            "200": _json("the next changes; `cursor` is the one to ask after next time", {
                "type": "object", "required": ["changes", "cursor", "more"],
                "properties": {"changes": {"type": "array", "items": {"$ref": "#/components/schemas/Change"}},
                               "cursor": {"type": "integer", "minimum": 0}, "more": {"type": "boolean"}}}),
            "401": _json("missing or wrong API token", _ERROR,
                         {"WWW-Authenticate": {"schema": {"type": "string"}}}),
            "422": _json("after or limit is not a whole number in range", _ERROR),
            "429": _json("too many calls", _ERROR, _RETRY_AFTER),
        },
    }}


_OPTIONAL_TEXT = {"type": ["string", "null"]}
_OPTIONAL_DATE = {"type": ["string", "null"], "format": "date"}
TENANT = {
    "type": "object",
    "description": "One tenant's record: the import's columns as stored (README \"Tenant columns\"), and what "
                   "herinnering decided (active, opted out, paused until).",
    "required": ["contract_id", "name", "phone", "channel", "language", "monthly_rent_cents", "collection_day",
                 "payment_method", "active", "opted_out"],
    "properties": {
        "contract_id": {"type": "string"}, "name": {"type": "string"}, "phone": {"type": "string"},
        "channel": {"type": "string"}, "language": {"type": "string"},
        "monthly_rent_cents": {"type": "integer"}, "collection_day": {"type": "integer"},
        "iban": _OPTIONAL_TEXT, "street": _OPTIONAL_TEXT, "house_number": _OPTIONAL_TEXT,
        "house_number_addition": _OPTIONAL_TEXT, "address": _OPTIONAL_TEXT,
        "postal_code": {"type": ["string", "null"], "pattern": "^[1-9][0-9]{3} [A-Z]{2}$"},
        "city": _OPTIONAL_TEXT, "municipality": _OPTIONAL_TEXT, "email": _OPTIONAL_TEXT,
        "lease_start": _OPTIONAL_DATE, "lease_end": _OPTIONAL_DATE,
        "payment_method": {"type": "string", "enum": ["incasso", "overboeking", "other"]},
        "mandate_id": _OPTIONAL_TEXT, "mandate_date": _OPTIONAL_DATE,
        "pre_notification_days": {"type": ["integer", "null"]},
        "active": {"type": "boolean"}, "opted_out": {"type": "boolean"}, "paused_until": _OPTIONAL_DATE,
    },
}


def _tenant_api() -> dict[str, Any]:
    return {"get": {
        "operationId": "getTenant",
        "summary": "One tenant's record by contract id (each read is audited)",
        "security": [{"bearer": []}],
        "parameters": [{"name": "contract_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {
            "200": _json("the tenant's record", {"$ref": "#/components/schemas/Tenant"}),
            "401": _json("missing or wrong API token", _ERROR,
                         {"WWW-Authenticate": {"schema": {"type": "string"}}}),
            "404": _json("no tenant with that contract id", _ERROR),
            "429": _json("too many calls", _ERROR, _RETRY_AFTER),
        },
    }}


def _twilio_status() -> dict[str, Any]:
    return {"post": {
        "operationId": "twilioStatusCallback",
        "summary": "Twilio's delivery report for a message we sent",
        "description": "Moves the message forward only; late, repeated or unknown callbacks change nothing.",
        "parameters": [_TWILIO_SIGNATURE, {"name": "m", "in": "query", "required": False,
                                           "description": "our message id", "schema": {"type": "string"}}],
        "requestBody": _form({
            "MessageSid": {"type": "string"}, "SmsSid": {"type": "string"},
            "MessageStatus": {"type": "string", "examples": ["delivered"]}, "SmsStatus": {"type": "string"},
            "ErrorCode": {"type": "string"}, "AccountSid": {"type": "string"},
        }, ["MessageSid", "MessageStatus"]),
        "responses": {
            "204": {"description": "taken (or acknowledged and ignored)"},
            "400": _text("MessageSid and MessageStatus are required"),
            "403": _text("invalid X-Twilio-Signature"),
        },
    }}


def _twilio_inbound() -> dict[str, Any]:
    return {"post": {
        "operationId": "twilioInbound",
        "summary": "A tenant's SMS or WhatsApp message to us",
        "description": "Stored once per MessageSid; the keyword bot decides; replies leave through the outbox.",
        "parameters": [_TWILIO_SIGNATURE],
        "requestBody": _form({
            "MessageSid": {"type": "string", "maxLength": 64}, "SmsMessageSid": {"type": "string"},
            "From": {"type": "string", "examples": ["+31612345678", "whatsapp:+31612345678"]},
            "To": {"type": "string"}, "Body": {"type": "string"}, "NumMedia": {"type": "string"},
            "ProfileName": {"type": "string"}, "ButtonPayload": {"type": "string"},
        }, ["MessageSid", "From"]),
        "responses": {
            "200": _text("empty TwiML", "text/xml"),
            "400": _text("MessageSid and From are required (or malformed)"),
            "403": _text("invalid X-Twilio-Signature"),
        },
    }}


def _payment_webhook(provider: str) -> dict[str, Any]:
    return {"post": {
        "operationId": f"{provider}Webhook",
        "summary": f"{provider.capitalize()}'s notification that a payment changed",
        "description": "Carries only an id; we ask the provider for the status. Unknown ids get 200 "
                       "(so the provider stops retrying).",
        "parameters": [{"name": "link", "in": "query", "required": False, "schema": {"type": "string"}}],
        "requestBody": _form({"id": {"type": "string", "examples": ["tr_WDqYK6vllg"]}}, []),
        "responses": {
            "200": _text("handled, or nothing to look up"),
            "503": _json("the provider cannot be asked now; retry after Retry-After seconds", _ERROR),
        },
    }}


def _probe(operation: str, summary: str, schema: dict[str, Any], unavailable: bool) -> dict[str, Any]:
    responses = {"200": _json("ok", schema)}
    if unavailable:
        responses["503"] = _json("the database does not answer", schema)
    return {"get": {"operationId": operation, "summary": summary, "responses": responses}}


READY = {"type": "object", "required": ["status"],
         "properties": {"status": {"type": "string"}, "time": {"type": "string", "format": "date-time"}}}
LIVE = {"type": "object", "required": ["status"],
        "properties": {"status": {"type": "string", "enum": ["ok", "degraded"]},
                       "provider_circuit": {"type": "string"}}}


def document() -> dict[str, Any]:
    """The whole document (a fresh dict each call: callers may change theirs)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "herinnering",
            "version": __version__,
            "description": "The machine-facing HTTP API of herinnering: payment intake, provider webhooks, "
                           "health probes and metrics.",
        },
        "paths": {
            "/api/payments": _payments_api(),
            "/api/changes": _changes_api(),
            "/api/tenants/{contract_id}": _tenant_api(),
            "/webhooks/twilio/status": _twilio_status(),
            "/webhooks/twilio/inbound": _twilio_inbound(),
            "/webhooks/sandbox": _payment_webhook("sandbox"),
            "/webhooks/mollie": _payment_webhook("mollie"),
            "/health": _probe("health", "Ready: the process and the database answer", READY, True),
            "/readyz": _probe("readyz", "Ready: the process and the database answer", READY, True),
            "/healthz": _probe("healthz", "Alive; 'degraded' while the provider circuit pauses sending", LIVE, False),
            "/metrics": {"get": {"operationId": "metrics", "summary": "Prometheus metrics",
                                 "responses": {"200": _text("Prometheus text format")}}},
            "/openapi.json": {"get": {"operationId": "openapi", "summary": "This document",
                                      "responses": {"200": _json("OpenAPI 3.1", {"type": "object"})}}},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "a token of `herinnering token create NAME`"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
                "Payment": PAYMENT,
                "PeriodStatus": PERIOD_STATUS,
                "Intake": INTAKE,
                "Change": CHANGE,
                "Tenant": TENANT,
            },
        },
    }


async def serve(request: web.Request) -> web.Response:
    return web.json_response(document())


def setup(app: web.Application) -> None:
    app.router.add_get("/openapi.json", serve)
