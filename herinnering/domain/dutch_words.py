"""The Dutch words for the keys the code stores (message kinds, states, channels, MVI steps …),
for what a judge reads: the proof bundle says "schriftelijke herinnering per brief, afgeleverd",
never `written_reminder letter delivered`. A key without a word shows as "(overig)", not as the
raw key. Pure: no I/O.
"""

from __future__ import annotations

import re

WORDS: dict[str, dict[str, str]] = {
    "message_kind": {
        "pre_debit": "herinnering vooraf", "pre_debit_kind": "herinnering vooraf", "payment_link": "betaallink",
        "ladder_reminder": "herinnering met betaallink", "debt_help_offer": "wijzen op schuldhulpverlening",
        "instalment_reminder": "herinnering termijn betalingsregeling", "return_objection": "bericht na storno",
        "return_recollect": "aankondiging nieuwe incasso", "stop_confirmation": "bevestiging afmelding",
        "bot_start_confirmation": "bevestiging aanmelding", "bot_acknowledgement": "ontvangstbevestiging",
        "bot_help": "hulpbericht", "bot_paid_thanks": "bedankt voor de melding van betaling",
        "bot_call_me": "terugbelverzoek bevestigd", "officer_reply": "antwoord van een medewerker",
        "tenant_page_link": "link naar de huurderspagina", "objection_confirmation": "bevestiging bezwaar",
        "dialog_arrangement_prompt": "vraag over een betalingsregeling",
        "dialog_arrangement_done": "betalingsregeling bevestigd", "dialog_callback_prompt": "vraag om terug te bellen",
        "dialog_callback_done": "terugbelverzoek bevestigd", "dialog_day_prompt": "vraag over de incassodag",
        "dialog_day_done": "incassodag bevestigd", "bot_out_of_office": "buiten kantoortijd",
        "bot_channel_sms": "kanaal sms bevestigd", "bot_channel_whatsapp": "kanaal WhatsApp bevestigd",
        "recollection_notice": "aankondiging nieuwe incasso",
        "arrangement_changed": "betalingsregeling gewijzigd", "arrangement_cancelled": "betalingsregeling gestopt",
    },
    "message_state": {
        "planned": "gepland", "sending": "wordt verstuurd", "sent": "verstuurd, nog niet afgeleverd",
        "delivered": "afgeleverd", "failed": "mislukt", "cancelled": "niet verstuurd (geannuleerd)",
    },
    "channel": {
        "sms": "sms", "whatsapp": "WhatsApp", "letter": "brief", "email": "e-mail", "phone": "telefoon",
        "visit": "huisbezoek", "other": "anders",
    },
    "mvi_step": {
        "personal_contact": "poging tot persoonlijk contact", "debt_help": "wijzen op schuldhulpverlening",
        "written_reminder": "schriftelijke herinnering", "data_offer": "aanbod gegevens door te geven aan de gemeente",
        "objection": "bezwaar van de huurder tegen de melding",
    },
    "case_state": {"open": "open", "in_arrangement": "in betalingsregeling", "closed": "gesloten"},
    "payment_status": {
        "expected": "verwacht", "paid": "betaald", "partly_paid": "deels betaald", "returned": "gestorneerd",
        "in_arrangement": "in betalingsregeling",
    },
    "transaction_kind": {"payment": "betaling", "return": "storno", "statement": "stand volgens afschrift"},
    "letter_kind": {"veertiendagenbrief": "veertiendagenbrief", "written_reminder": "schriftelijke herinnering"},
    "post_method": {"batch": "post (verzendlijst)", "registered": "aangetekend", "email": "e-mail",
                    "onbekend": "post (vóór vastlegging van verzending)"},
    "task_state": {"open": "open", "done": "gedaan", "cancelled": "vervallen"},
    "author": {"bot": "automatisch", "officer": "medewerker", "tenant": "huurder", "system": "systeem"},
    "direction": {"in": "binnenkomend", "inbound": "binnenkomend", "out": "uitgaand", "outbound": "uitgaand"},
    "every": {"week": "week", "2weeks": "twee weken", "month": "maand"},
    "instalment_state": {"open": "open", "paid": "betaald", "missed": "gemist"},
    "feedback": {
        "repeat_signal": "herhaalsignaal", "unjustified": "onterecht", "not_resident": "niet woonachtig",
        "deceased": "overleden", "taken_up": "opgepakt",
    },
    "audit_action": {
        "take_over": "gesprek overgenomen", "hand_back": "gesprek teruggegeven", "assign": "gesprek toegewezen",
        "reply": "antwoord verstuurd", "objection": "bezwaar vastgelegd", "pause": "pauzeknop ingedrukt",
        "resume": "pauze beëindigd", "task_done": "taak afgerond", "letter_posted": "brief verstuurd",
        "letter_generated": "brief opgesteld", "login": "ingelogd", "logout": "uitgelogd",
        "call_outcome": "uitkomst telefoongesprek vastgelegd", "payment_matched": "betaling gekoppeld",
        "betaald_checked": "melding BETAALD gecontroleerd", "forbidden": "toegang geweigerd",
    },
}

OTHER = "(overig)"
_URL = re.compile(r"https?://\S+")


def word(group: str, key: str | None) -> str:
    """The Dutch word for a stored key; "(overig)" when there is none (never the raw key)."""
    if not key:
        return "—"
    return WORDS[group].get(key, OTHER)


def without_links(text: str) -> str:
    """The text with every web address replaced: a bundle must not carry a live tenant-page or payment link."""
    return _URL.sub("[link verwijderd]", text)
