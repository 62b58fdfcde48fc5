"""The fake Twilio's content templates (Content API): a ContentSid and its approved text.

A create call that names a ContentSid gets its body from the approved text, with each
placeholder {{1}}, {{2}}, … replaced by the value in ContentVariables (a JSON object), as
Twilio renders it. An unknown ContentSid is error 21655; missing or empty variables 21656.
By default the fake knows herinnering's shipped templates (config/whatsapp-templates.toml),
from a file of its own beside this module: the fakes import nothing of the app.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_PLACEHOLDER = re.compile(r"\{\{(\d+)\}\}")


class ContentError(ValueError):
    """A create call whose ContentSid or ContentVariables Twilio would refuse."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class FakeContent:
    sid: str
    body: str
    buttons: tuple[tuple[str, str], ...] = ()  # (payload, title)
    language: str = "nl"

    def render(self, raw_variables: str | None) -> str:
        try:
            variables = json.loads(raw_variables) if raw_variables else {}
        except json.JSONDecodeError:
            raise ContentError(21656, "The ContentVariables Parameter is invalid") from None
        if not isinstance(variables, dict):
            raise ContentError(21656, "The ContentVariables Parameter is invalid")

        def value(match: re.Match[str]) -> str:
            found = variables.get(match.group(1))
            if not isinstance(found, str) or not found.strip():
                raise ContentError(21656, f"The ContentVariables Parameter is invalid: no value for {{{{{match.group(1)}}}}}")
            return found

        return _PLACEHOLDER.sub(value, self.body)


CONTENTS_FILE = Path(__file__).with_name("twilio_contents.json")


@lru_cache(maxsize=1)
def shipped_contents() -> dict[str, FakeContent]:
    """herinnering's own approved templates, as rendered with the default configuration and
    written to `twilio_contents.json` (tests/unit/test_fake_twilio_contents.py keeps the file
    equal to what the app renders, and writes it again when run as a script)."""
    return load_contents(CONTENTS_FILE)


def load_contents(path: Path) -> dict[str, FakeContent]:
    """Content templates from a JSON list of {sid, language, body, buttons: [[payload, title], …]}."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    return {e["sid"]: FakeContent(e["sid"], e["body"], tuple((p, t) for p, t in e["buttons"]), e["language"])
            for e in entries}
