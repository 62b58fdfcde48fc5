"""The keyword bot in five languages, through the signed inbound webhook: the keyword is
understood and the answer comes in the tenant's own language (an unknown number: the language
of the keyword it wrote)."""

from __future__ import annotations

from typing import Any

from herinnering.services.reminders.dispatch import Dispatcher
from tests.integration.conversations import open_tasks, tenant, tenant_writes


def expected(runtime: Any, kind: str, language: str) -> str:
    organisation = runtime.settings.organisation
    return runtime.templates.render(kind, "sms", language, {
        "org_name": organisation.name, "org_phone": organisation.phone}).body


async def sent_bodies(runtime: Any, fake_twilio: Any) -> list[str]:
    await Dispatcher(runtime, "w").run_until_idle()
    return [m["body"] for m in fake_twilio.messages]


async def test_turkish_yardim_gets_the_turkish_help_text(runtime: Any, make_tenant: Any, fake_twilio: Any) -> None:
    someone = await make_tenant(language="tr", name="Hüseyin Aydın")
    await tenant_writes(runtime, fake_twilio, someone.phone, "yardım")
    assert await sent_bodies(runtime, fake_twilio) == [expected(runtime, "bot_help", "tr")]


async def test_arabic_stop_opts_out_and_confirms_in_arabic(runtime: Any, make_tenant: Any, fake_twilio: Any) -> None:
    someone = await make_tenant(language="ar")
    await tenant_writes(runtime, fake_twilio, someone.phone, "توقف من فضلك")
    assert (await tenant(runtime.db, someone.id)).opted_out
    assert await sent_bodies(runtime, fake_twilio) == [expected(runtime, "stop_confirmation", "ar")]


async def test_dutch_stop_alstublieft_opts_out(runtime: Any, make_tenant: Any, fake_twilio: Any) -> None:
    someone = await make_tenant(language="nl")
    await tenant_writes(runtime, fake_twilio, someone.phone, "Stop alstublieft")
    assert (await tenant(runtime.db, someone.id)).opted_out
    assert await sent_bodies(runtime, fake_twilio) == [expected(runtime, "stop_confirmation", "nl")]


async def test_polish_paid_creates_the_task_and_thanks_in_polish(runtime: Any, make_tenant: Any,
                                                                 fake_twilio: Any) -> None:
    someone = await make_tenant(language="pl")
    await tenant_writes(runtime, fake_twilio, someone.phone, "Zaplacilam juz")
    [task] = await open_tasks(runtime.db, someone.id)
    assert task.kind == "verify_payment"
    assert await sent_bodies(runtime, fake_twilio) == [expected(runtime, "bot_paid_thanks", "pl")]


async def test_what_the_bot_does_not_understand_is_acknowledged_in_the_tenants_language(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    someone = await make_tenant(language="tr")
    await tenant_writes(runtime, fake_twilio, someone.phone, "Ayın 5'inde ödeyebilir miyim?")
    assert await sent_bodies(runtime, fake_twilio) == [expected(runtime, "bot_acknowledgement", "tr")]


async def test_an_unknown_number_is_answered_in_the_language_of_its_keyword(runtime: Any, fake_twilio: Any) -> None:
    await tenant_writes(runtime, fake_twilio, "+31687654321", "Lütfen durdurun")
    assert await sent_bodies(runtime, fake_twilio) == [expected(runtime, "stop_confirmation", "tr")]
