"""`herinnering templates check` over the shipped templates and over broken ones."""

from __future__ import annotations

from pathlib import Path

from herinnering.config import load_settings
from herinnering.resources import templates_dir
from herinnering.services.reminders.template_check import (
    SEGMENT_ALLOWANCE,
    check_templates,
    sms_limit,
)

SETTINGS = load_settings(environ={})


def test_every_shipped_message_exists_in_every_language_and_fits_its_sms_segments() -> None:
    rows = check_templates(templates_dir(), SETTINGS)
    assert {row.kind for row in rows} >= {"pre_debit"}
    assert [row for row in rows if row.problem] == []
    assert all(row.segments <= sms_limit(row.encoding, row.kind) for row in rows if row.channel == "sms")
    # only the transfer payers' reminder may take more: it carries IBAN, reference and link
    assert SEGMENT_ALLOWANCE == {"pre_due": 4}


def write(root: Path, language: str, name: str, text: str) -> None:
    folder = root / "messages" / language
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)


def test_missing_translations_unknown_variables_and_long_texts_are_reported(tmp_path: Path) -> None:
    for language in SETTINGS.reminders.languages:
        write(tmp_path, language, "greeting.sms.j2", "Hallo {{ name }}")
        write(tmp_path, language, "greeting.whatsapp.j2", "Hallo {{ name }}")
    (tmp_path / "messages" / "pl" / "greeting.whatsapp.j2").unlink()           # a missing translation
    write(tmp_path, "nl", "greeting.sms.j2", "Hallo {{ naam }}")                 # a typo in a variable
    write(tmp_path, "en", "greeting.sms.j2", "Hello {{ name }}. " + "x" * 300)   # three segments
    write(tmp_path, "tr", "greeting.sms.j2", "Merhaba {{ name }}, " + "ş" * 250)  # UCS-2: 67 per segment
    problems = {(r.language, r.channel): r.problem for r in check_templates(tmp_path, SETTINGS) if r.problem}
    assert problems == {
        ("pl", "whatsapp"): "missing: messages/pl/greeting.whatsapp.j2",
        ("nl", "sms"): "no sample value for naam",
        ("en", "sms"): "3 GSM-7 SMS segments (at most 2)",
        ("tr", "sms"): "5 UCS-2 SMS segments (at most 4)",
    }
