"""PDF documents: letters to tenants and the proof bundle, drawn with fpdf2 (pure Python).

A Unicode TrueType font (DejaVu Sans, found on most systems) carries Turkish, Polish and
Arabic; with uharfbuzz installed, Arabic is shaped and set right to left. Without such a font
the core Helvetica font is used and characters outside Latin-1 become '?', so a PDF is always
written. Only this module imports fpdf.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/local/share/fonts"), Path("/Library/Fonts"))
FONT = "DejaVuSans"
# A value set apart with a Unicode isolate (LRI/FSI … PDI: phone numbers, amounts, links in Arabic
# text) is kept on one line, so "020 123 4567" is never split and turned around by the line break.
_ISOLATES = re.compile("[\u2066\u2068]([^\u2066-\u2069]*)\u2069")


@dataclass(frozen=True)
class Section:
    """A heading and its paragraphs; `rtl` for Arabic text."""

    heading: str
    paragraphs: Sequence[str]
    rtl: bool = False


def _font_file(name: str) -> Path | None:
    for directory in FONT_DIRS:
        path = directory / name
        if path.exists():
            return path
    return None


@functools.cache
def _document_class() -> type:
    """fpdf (and numpy under it) is imported on the first PDF, not when the process starts."""
    from fpdf import FPDF

    class Document(FPDF):
        def __init__(self, footer_text: str) -> None:
            super().__init__(format="A4")
            self.footer_text = footer_text
            self.set_margins(20, 20, 20)
            self.set_auto_page_break(True, margin=20)
            regular, bold = _font_file("DejaVuSans.ttf"), _font_file("DejaVuSans-Bold.ttf")
            self.unicode = regular is not None
            if regular is not None:
                self.add_font(FONT, "", str(regular))
                self.add_font(FONT, "B", str(bold or regular))
                self.family = FONT
                try:
                    self.set_text_shaping(True)
                except Exception:  # uharfbuzz missing: Arabic unshaped, everything else fine
                    log.info("uharfbuzz is not installed; Arabic text is not shaped")
            else:
                self.family = "Helvetica"

        def text_of(self, text: str) -> str:
            if not self.unicode:
                return _ISOLATES.sub(lambda m: m.group(1), text).encode("latin-1", "replace").decode("latin-1")
            return _ISOLATES.sub(lambda m: m.group(0).replace(" ", "\u00a0"), text)

        def footer(self) -> None:
            self.set_y(-14)
            self.set_font(self.family, "", 8)
            self.cell(0, 6, self.text_of(f"{self.footer_text} — {self.page_no()}/{{nb}}"), align="C")

    return Document


def _document(footer_text: str) -> Any:
    return _document_class()(footer_text)


def render(title: str, sections: Sequence[Section], *, footer: str = "") -> bytes:
    """One PDF: a title, then each section with its paragraphs (line breaks kept)."""
    pdf = _document(footer or title)
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font(pdf.family, "B", 14)
    pdf.multi_cell(0, 8, pdf.text_of(title), new_x="LMARGIN", new_y="NEXT")
    for section in sections:
        pdf.ln(3)
        if section.heading:
            pdf.set_font(pdf.family, "B", 11)
            pdf.multi_cell(0, 6, pdf.text_of(section.heading), new_x="LMARGIN", new_y="NEXT",
                           align="R" if section.rtl else "L")
        pdf.set_font(pdf.family, "", 10)
        for paragraph in section.paragraphs:
            pdf.multi_cell(0, 5, pdf.text_of(paragraph) or " ", new_x="LMARGIN", new_y="NEXT",
                           align="R" if section.rtl else "L")
            pdf.ln(1.5)
    return bytes(pdf.output())


def render_letter(pages: Sequence[Section], *, footer: str) -> bytes:
    """A letter: each section on its own page (the Dutch legal text first, then the translation)."""
    pdf = _document(footer)
    for page in pages:
        pdf.add_page()
        if page.heading:
            pdf.set_font(pdf.family, "B", 9)
            pdf.multi_cell(0, 5, pdf.text_of(page.heading), new_x="LMARGIN", new_y="NEXT",
                           align="R" if page.rtl else "L")
            pdf.ln(2)
        pdf.set_font(pdf.family, "", 11)
        for paragraph in page.paragraphs:
            pdf.multi_cell(0, 5.5, pdf.text_of(paragraph) or " ", new_x="LMARGIN", new_y="NEXT",
                           align="R" if page.rtl else "L")
    return bytes(pdf.output())


def render_table(title: str, intro: Sequence[str], header: Sequence[str], rows: Sequence[Sequence[str]], *,
                 footer: str, rtl: bool = False, widths: Sequence[int] | None = None) -> bytes:
    """A title, a few lines of text and one table (an account statement), on as many pages as it takes."""
    pdf = _document(footer)
    pdf.add_page()
    align = "R" if rtl else "L"
    pdf.set_font(pdf.family, "B", 14)
    pdf.multi_cell(0, 8, pdf.text_of(title), new_x="LMARGIN", new_y="NEXT", align=align)
    pdf.set_font(pdf.family, "", 10)
    for line in intro:
        pdf.multi_cell(0, 5, pdf.text_of(line) or " ", new_x="LMARGIN", new_y="NEXT", align=align)
    pdf.ln(3)
    ordered = [list(reversed(r)) for r in [header, *rows]] if rtl else [list(header), *map(list, rows)]
    widths = tuple(reversed(widths)) if rtl and widths else widths
    with pdf.table(col_widths=widths, text_align=align, first_row_as_headings=True,
                   line_height=5.5) as table:
        for values in ordered:
            row = table.row()
            for value in values:
                row.cell(pdf.text_of(value))
    return bytes(pdf.output())
