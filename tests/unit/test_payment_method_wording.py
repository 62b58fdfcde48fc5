"""Payment method steers the wording: a tenant who pays by transfer never reads that we
collect the rent, in any language or channel; a direct-debit tenant still reads when."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herinnering.adapters.templates import MessageTemplates, long_date
from herinnering.config import load_settings
from herinnering.domain.payments.methods import (
    PRE_DEBIT_KIND,
    PRE_DUE_KIND,
    PaymentMethod,
    lease_covers,
    parse_payment_method,
    reminder_kind,
    stale_reminder,
)
from herinnering.domain.reminders.sms import fold_outside
from herinnering.resources import templates_dir
from herinnering.services.reminders.template_check import sample_context

LANGUAGES = ("nl", "en", "tr", "ar", "pl")
CHANNELS = ("sms", "whatsapp")
# Words that say "we take the money from your account", per language.
COLLECTING = {
    "nl": ("schrijven", "afschrijven", "schrijft", "incasso", "afgeschreven"),
    "en": ("collect", "debit", "take the rent"),
    "tr": ("çekilecek", "çekeceğiz", "çekilir", "tahsil"),
    "ar": ("سنخصم", "خصم", "نسحب"),
    "pl": ("pobierzemy", "pobrany", "pobranie", "obciąż"),
}
SETTINGS = load_settings(environ={})


def render(kind: str, language: str, channel: str, **extra: str) -> str:
    context = sample_context(language, SETTINGS) | {"org_iban": SETTINGS.organisation.iban} | extra
    return MessageTemplates(templates_dir()).render(kind, channel, language, context).body


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_transfer_payer_reads_how_to_pay_and_never_that_we_collect(language: str, channel: str) -> None:
    body = render(PRE_DUE_KIND, language, channel)
    assert not [word for word in COLLECTING[language] if word in body.casefold()], body
    assert SETTINGS.organisation.iban in body  # where to
    assert "HC-1000001" in body  # the payment reference: the contract id
    day = long_date(date(2026, 12, 28), language)
    assert day in body or fold_outside(day, []) in body  # by when (a Polish SMS is written without ą ł …)
    assert SETTINGS.organisation.name in body and SETTINGS.organisation.phone in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sms_names_the_payment_page_when_there_is_one_and_not_otherwise(language: str) -> None:
    assert "https://www.delinde.nl/betalen" in render(PRE_DUE_KIND, language, "sms")
    without = render(PRE_DUE_KIND, language, "sms", payment_url="")
    assert "http" not in without and without.strip()


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_direct_debit_tenant_still_reads_when_the_debit_happens(language: str, channel: str) -> None:
    body = render(PRE_DEBIT_KIND, language, channel)
    day = long_date(date(2026, 12, 28), language)
    assert day in body or fold_outside(day, []) in body
    assert SETTINGS.organisation.iban not in body
    if language == "nl":
        assert "schrijven wij de huur af" in body


@pytest.mark.parametrize(("method", "kind"), [("incasso", "pre_debit"), ("overboeking", "pre_due"),
                                              ("other", "pre_due")])
def test_the_reminder_kind_follows_the_payment_method(method: str, kind: str) -> None:
    assert reminder_kind(method) == kind


@pytest.mark.parametrize(("written", "method"), [
    ("Automatische incasso", PaymentMethod.INCASSO), ("SEPA-incasso", PaymentMethod.INCASSO),
    ("direct debit", PaymentMethod.INCASSO), ("Overboeking", PaymentMethod.OVERBOEKING),
    ("zelf overmaken", PaymentMethod.OVERBOEKING), ("bank transfer", PaymentMethod.OVERBOEKING),
    ("Anders", PaymentMethod.OTHER), ("bewindvoerder", PaymentMethod.OTHER), ("acceptgiro", None),
])
def test_payment_methods_are_read_as_erps_write_them(written: str, method: PaymentMethod | None) -> None:
    assert parse_payment_method(written) == method


@given(st.dates(date(2020, 1, 1), date(2035, 12, 31)), st.one_of(st.none(), st.dates(date(2020, 1, 1),
                                                                                       date(2035, 12, 31))))
def test_a_reminder_planned_before_is_dropped_exactly_when_the_lease_no_longer_covers_its_date(
    debit: date, lease_end: date | None,
) -> None:
    covered = lease_end is None or debit <= lease_end
    assert lease_covers(debit, lease_end) is covered
    assert (stale_reminder(PRE_DEBIT_KIND, debit, "incasso", lease_end) is None) is covered


def test_a_reminder_of_the_wrong_kind_for_the_payment_method_is_dropped() -> None:
    assert stale_reminder(PRE_DEBIT_KIND, date(2026, 12, 1), "overboeking", None) == "the tenant now pays by overboeking"
    assert stale_reminder(PRE_DUE_KIND, date(2026, 12, 1), "incasso", None) == "the tenant now pays by incasso"
    assert stale_reminder("payment_link", date(2026, 12, 1), "overboeking", date(2020, 1, 1)) is None
