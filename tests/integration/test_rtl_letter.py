"""The Arabic letter's PDF, read back with pdfium: on every line that carries the phone number
its digits stand, from left to right, as "020 123 4567" — not "4567 123 020"."""

from __future__ import annotations

from typing import Any

import pypdfium2 as pdfium
from sqlalchemy import select

from herinnering.adapters import pdf
from herinnering.adapters.db.legal_tables import letters
from tests.integration.test_lawful import ladder_done_but_no_call

PHONE_DIGITS = "0201234567"


def digit_lines(document: bytes) -> list[str]:
    """Per line of text (pages in order), its digits sorted by their left edge: what a reader sees."""
    lines: list[str] = []
    for page in pdfium.PdfDocument(document):
        text = page.get_textpage()
        rows: dict[int, list[tuple[float, str]]] = {}
        for index in range(text.count_chars()):
            char = text.get_text_range(index, 1)
            if char.isdigit():
                left, bottom, _right, _top = text.get_charbox(index)
                rows.setdefault(round(bottom), []).append((left, char))
        lines.extend("".join(c for _, c in sorted(row)) for _, row in sorted(rows.items(), reverse=True))
    return lines


def test_without_isolates_the_phone_would_read_backwards() -> None:
    """The check can fail: the same sentence without Unicode isolates comes out reversed."""
    bare = pdf.render_letter([pdf.Section("", ["اتصلوا بنا: 020 123 4567. شكراً"], rtl=True)], footer="-")
    isolated = pdf.render_letter([pdf.Section("", ["اتصلوا بنا: \u2066020 123 4567\u2069. شكراً"], rtl=True)],
                                 footer="-")
    assert PHONE_DIGITS not in digit_lines(bare) and "4567123020" in digit_lines(bare)
    assert PHONE_DIGITS in digit_lines(isolated)


async def test_the_arabic_written_reminder_shows_the_phone_number_in_order(
    runtime: Any, make_tenant: Any, fake_twilio: Any,
) -> None:
    tenant = await ladder_done_but_no_call(runtime, make_tenant, language="ar")  # its written reminder is posted
    async with runtime.db.begin() as connection:
        sent = (await connection.execute(select(letters.c.pdf).where(
            letters.c.tenant_id == tenant.id, letters.c.kind == "written_reminder",
            letters.c.state == "posted"))).one()
    lines = [line for line in digit_lines(sent.pdf) if "4567" in line]
    assert len(lines) >= 4 and all(PHONE_DIGITS in line for line in lines), lines  # Dutch page and Arabic page
