"""Words for what the officers' pages show: events on the timeline, message states, task kinds,
roles, channels — so a page never shows a raw key. Each entry is (Dutch, English); `say`
picks the officer's language (web/i18n.py). `setup` gives the page templates these words and
`t(nl, en)`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import phonenumbers
from aiohttp import web

from herinnering.web.i18n import current_language, t
from herinnering.web.keys import PAGES

EVENTS: dict[str, tuple[str, str]] = {
    "tenant_imported": ("Huurder geïmporteerd", "Tenant imported"),
    "tenant_updated": ("Gegevens gewijzigd", "Details changed"),
    "message_planned": ("Bericht gepland", "Message planned"),
    "message_sending": ("Bericht wordt verstuurd", "Message being sent"),
    "message_sent": ("Bericht verstuurd", "Message sent"),
    "message_delivered": ("Bericht afgeleverd", "Message delivered"),
    "message_failed": ("Bericht mislukt", "Message failed"),
    "message_cancelled": ("Bericht geannuleerd", "Message cancelled"),
    "send_outcome_unknown": ("Onbekend of het bericht verstuurd is", "Unknown whether the message went out"),
    "tenant_opted_out": ("Afgemeld (STOP)", "Opted out (STOP)"),
    "tenant_opted_in": ("Weer aangemeld (START)", "Opted in again (START)"),
    "whatsapp_opted_in": ("Toestemming voor WhatsApp", "Consented to WhatsApp"),
    "whatsapp_fallback": ("WhatsApp lukte niet, SMS gestuurd", "WhatsApp failed, SMS sent"),
    "channel_preference_set": ("Voorkeurskanaal gekozen", "Preferred channel chosen"),
    "channel_changed": ("Kanaal gewijzigd", "Channel changed"),
    "inbound_message": ("Bericht ontvangen", "Message received"),
    "dialog_step": ("Stap in het gesprek met de bot", "Step in the conversation with the bot"),
    "task_created": ("Taak aangemaakt", "Task created"),
    "task_done": ("Taak afgerond", "Task done"),
    "task_cancelled": ("Taak vervallen", "Task cancelled"),
    "thread_taken_over": ("Gesprek overgenomen", "Conversation taken over"),
    "thread_handed_back": ("Teruggegeven aan de bot", "Handed back to the bot"),
    "officer_reply": ("Antwoord verstuurd", "Reply sent"),
    "officer_note": ("Notitie", "Note"),
    "paused": ("Gepauzeerd (pauzeknop)", "Paused"),
    "tenant_paused": ("Gepauzeerd (pauzeknop)", "Paused"),
    "pause_lifted": ("Pauze opgeheven", "Pause lifted"),
    "tenant_resumed": ("Pauze opgeheven", "Pause lifted"),
    "return_next_step": ("Terugboeking: volgende stap", "Returned debit: next step"),
    "collection_day_changed": ("Incassodag gewijzigd door huurder", "Collection day changed by the tenant"),
    "collection_day_reversed": ("Wijziging incassodag teruggedraaid", "Collection day change undone"),
    "recollection_exported": ("Opnieuw geïncasseerd", "Collected again"),
    "recollection_cancelled": ("Herincasso geannuleerd", "Re-collection cancelled"),
    "messages_stopped": ("Alle berichten gestopt", "All messages stopped"),
    "objection_recorded": ("Bezwaar tegen melding aan de gemeente", "Objection to the municipality signal"),
    "payment_changed": ("Betaling verwerkt", "Payment processed"),
    "payment_link_created": ("Betaallink gemaakt", "Payment link made"),
    "payment_link_paid": ("Betaald via betaallink", "Paid by payment link"),
    "payment_link_resent": ("Betaallink opnieuw gestuurd", "Payment link sent again"),
    "tenant_page_link_made": ("Link naar 'mijn huur' gemaakt", "'My rent' link made"),
    "arrangement_made": ("Betalingsregeling afgesproken", "Payment arrangement made"),
    "arrangement_completed": ("Betalingsregeling afgerond", "Payment arrangement completed"),
    "arrangement_changed": ("Betalingsregeling gewijzigd", "Payment arrangement changed"),
    "arrangement_cancelled": ("Betalingsregeling gestopt", "Payment arrangement cancelled"),
    "ladder_resumed": ("Opvolging hervat", "Follow-up resumed"),
    "recollection_file_made": ("Herincassobestand gemaakt", "Re-collection file made"),
    "instalment_paid": ("Termijn betaald", "Instalment paid"),
    "instalment_missed": ("Termijn gemist", "Instalment missed"),
    "arrears_case_opened": ("Achterstand geopend", "Arrears case opened"),
    "arrears_case_closed": ("Achterstand gesloten", "Arrears case closed"),
    "arrears_case_reopened": ("Achterstand heropend", "Arrears case reopened"),
    "ladder_step": ("Stap in de opvolging", "Follow-up step"),
    "ladder_stopped": ("Opvolging gestopt", "Follow-up stopped"),
    "letter_sent": ("Brief verstuurd", "Letter sent"),
    "letter_posted": ("Brief gepost", "Letter posted"),
    "mvi_step_recorded": ("Stap vroegsignalering vastgelegd", "Early-warning step recorded"),
    "wgs_signalled": ("Gemeld aan de gemeente", "Reported to the municipality"),
    "municipal_feedback": ("Terugkoppeling van de gemeente", "Feedback from the municipality"),
    "segment_moved_up": ("Naar een zorgelijker segment", "Moved to a more worrying segment"),
    "experiment_exposed": ("Meegenomen in een experiment", "Included in an experiment"),
}

STATES = {
    "planned": ("gepland", "planned"), "sending": ("wordt verstuurd", "sending"), "sent": ("verstuurd", "sent"),
    "delivered": ("afgeleverd", "delivered"), "failed": ("mislukt", "failed"), "cancelled": ("geannuleerd", "cancelled"),
    "undelivered": ("niet afgeleverd", "undelivered"), "read": ("gelezen", "read"),
}

TASK_KINDS = {
    "call_tenant": ("Huurder bellen", "Call the tenant"),
    "call_back": ("Terugbelverzoek", "Call-back request"),
    "written_reminder": ("Brief posten", "Post a letter"),
    "verify_payment": ("Betaling controleren", "Check a payment"),
    "match_payment": ("Betaling koppelen", "Match a payment"),
    "arrangement_request": ("Verzoek betalingsregeling", "Arrangement request"),
    "instalment_missed": ("Termijn gemist", "Instalment missed"),
    "payment_link_requested": ("Betaallink gevraagd", "Payment link requested"),
    "whatsapp_failed": ("WhatsApp niet bezorgd", "WhatsApp not delivered"),
    "return_objection": ("Bezwaar tegen afschrijving", "Objection to a debit"),
    "return_recollect": ("Opnieuw incasseren", "Collect again"),
    "new_mandate": ("Nieuwe machtiging nodig", "New mandate needed"),
    "debtor_deceased": ("Huurder overleden", "Tenant deceased"),
    "end_of_ladder": ("Einde van de opvolging", "End of the follow-up"),
}

ROLES = {"officer": ("medewerker", "officer"), "teamlead": ("teamleider", "team lead"), "admin": ("beheerder", "admin"),
         "readonly": ("alleen lezen", "read-only"), "viewer": ("alleen lezen", "read-only")}
CHANNELS = {"sms": ("SMS", "SMS"), "whatsapp": ("WhatsApp", "WhatsApp"), "letter": ("brief", "letter"),
            "phone": ("telefoon", "phone"), "email": ("e-mail", "e-mail"), "visit": ("bezoek", "visit"),
            "other": ("anders", "other")}
INTENTS = {"stop": ("STOP", "STOP"), "start": ("START", "START"), "help": ("HULP", "HELP"), "paid": ("BETAALD", "PAID"),
           "objection": ("BEZWAAR", "OBJECTION"), "pay_link": ("BETAALLINK", "PAY LINK"), "call_me": ("BEL MIJ", "CALL ME"),
           "sms": ("SMS", "SMS"), "whatsapp": ("WHATSAPP", "WHATSAPP")}
AUTHORS = {"tenant": ("Huurder", "Tenant"), "bot": ("Bot", "Bot"), "officer": ("Medewerker", "Officer")}
LANGUAGES = {"nl": ("Nederlands", "Dutch"), "en": ("Engels", "English"), "tr": ("Turks", "Turkish"),
             "ar": ("Arabisch", "Arabic"), "pl": ("Pools", "Polish")}


def say(table: Mapping[str, tuple[str, str]], key: str | None, fallback: tuple[str, str] = ("onbekend", "unknown")) -> str:
    """The words for `key` in the officer's language; a key without words reads as `fallback`,
    never as itself."""
    return t(*table.get(key or "", fallback))


def event_text(event: Any) -> str:
    """One timeline entry in words: what happened, and its detail when it has one."""
    words = say(EVENTS, event.type, ("Gebeurtenis", "Event"))
    data = event.data or {}
    if event.type == "ladder_step" and data.get("step"):
        return f"{words}: {say(LADDER_STEPS, data['step'], (data['step'], data['step']))}"
    for key in ("note", "reason", "until"):
        if data.get(key):
            return f"{words}: {data[key]}"
    if data.get("intent") and data["intent"] != "other":
        return f"{words}: {say(INTENTS, data['intent'], ('tekst', 'text'))}"
    if data.get("kind") and event.type.startswith("task_"):
        return f"{words}: {say(TASK_KINDS, data['kind'], ('taak', 'task'))}"
    return words


def phone(number: str | None) -> str:
    """A phone number as people in the Netherlands write it: 020 123 4567, 06 12345678."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, "NL")
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_possible_number(parsed):
        return number
    style = phonenumbers.PhoneNumberFormat.NATIONAL if parsed.country_code == 31 \
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(parsed, style)


def euro(cents: int | None) -> str:
    """€ 1.234,56 — the Dutch way, on every officer page."""
    cents = int(cents or 0)
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}€ {whole:,}".replace(",", ".") + f",{part:02d}"


def count_text(value: int) -> str:
    return str(value)


def minutes_text(minutes: float | None) -> str:
    """12 min, 3,5 uur / 3.5 hours, or a dash when nothing was answered."""
    if minutes is None:
        return "—"
    if minutes < 90:
        return f"{minutes:.0f} min"
    hours = minutes / 60
    return t(f"{hours:.1f} uur".replace(".", ","), f"{hours:.1f} hours")


# Why a re-collection stays out of the pain.008 file (services/returns.left_out_because), in words.
LEFT_OUT = {
    "tenant inactive": ("huurder niet meer actief", "tenant inactive"),
    "month is in a payment arrangement": ("maand zit in een betalingsregeling", "month is in a payment arrangement"),
    "month paid in the meantime": ("maand is intussen betaald", "month paid in the meantime"),
    "no IBAN known": ("geen IBAN bekend", "no IBAN known"),
    "no SEPA mandate on record (import machtigingskenmerk and datum machtiging)": (
        "geen SEPA-machtiging bekend (machtigingskenmerk en datum machtiging ontbreken)", "no SEPA mandate on record"),
}


def left_out_text(reason: str) -> str:
    if reason.startswith("the tenant pays by "):
        method = reason.removeprefix("the tenant pays by ").split(",")[0]
        return t(f"huurder betaalt per {method}, niet per automatische incasso", reason)
    return t(*LEFT_OUT.get(reason, (reason, reason)))


GLOBALS = {"say": say, "left_out_text": left_out_text, "euro": euro, "phone_text": phone, "count_text": count_text, "minutes_text": minutes_text, "event_text": event_text, "EVENTS": EVENTS, "STATES": STATES, "TASK_KINDS": TASK_KINDS,
           "ROLES": ROLES, "CHANNELS": CHANNELS, "INTENTS": INTENTS, "AUTHORS": AUTHORS, "LANGUAGE_NAMES": LANGUAGES}

LADDER_STEPS = {
    "first_link": ("Eerste herinnering met betaallink", "First reminder with payment link"),
    "second_link": ("Tweede herinnering met betaallink", "Second reminder with payment link"),
    "call": ("Huurder bellen", "Call the tenant"),
    "written_reminder": ("Schriftelijke herinnering", "Written reminder"),
    "debt_help": ("Wijzen op schuldhulp", "Pointer to debt help"),
}
LADDER_STATUS = {"due": ("nu aan de beurt", "due now"), "waiting": ("gepland", "planned"),
                 "paused": ("gepauzeerd", "paused"), "stopped": ("gestopt", "stopped"),
                 "finished": ("alle stappen gedaan", "every step done")}
SEGMENTS = {"0": ("betaalt op tijd", "pays on time"), "1": ("nieuwe huurder", "new tenant"),
            "2": ("geen herinneringen, nu te laat", "no reminders before, late now"),
            "3": ("1-5 herinneringen in 12 maanden", "1-5 reminders in 12 months"),
            "4": ("veel herinneringen, deurwaarder of regeling", "many reminders, bailiff or arrangement")}
CASE_STATES = {"open": ("open", "open"), "in_arrangement": ("in een regeling", "in an arrangement"),
               "closed": ("gesloten", "closed")}
GLOBALS.update(LADDER_STEPS=LADDER_STEPS, LADDER_STATUS=LADDER_STATUS, SEGMENTS=SEGMENTS, CASE_STATES=CASE_STATES)


def setup(app: web.Application) -> None:
    app[PAGES].globals.update(t=t, current_language=current_language, **GLOBALS)
