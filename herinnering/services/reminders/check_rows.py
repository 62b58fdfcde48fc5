"""What the template checks share: the kinds a templates folder holds, the channels and the
WhatsApp limit they are measured against, and the row each check reports.

`template_check` runs the others (`wording_check`, `whatsapp_check`) and they report in its
rows; holding the row here lets each import it without importing the one that runs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CHANNELS = ("sms", "whatsapp")
MAX_WHATSAPP_CHARACTERS = 1024  # a WhatsApp template body's limit


@dataclass(frozen=True)
class CheckRow:
    kind: str
    language: str
    channel: str
    characters: int
    encoding: str
    segments: int
    problem: str | None


def kinds_in(directory: Path) -> list[str]:
    """Kinds with an SMS or WhatsApp text in any language (letters and the like are not checked here)."""
    return sorted({path.name.split(".")[0] for path in directory.glob("messages/*/*.j2")
                   if path.name.split(".")[1] in CHANNELS})
