"""The fake Twilio's content templates (Content API): a ContentSid and its approved text.

A create call that names a ContentSid gets its body from the approved text, with each
placeholder {{1}}, {{2}}, … replaced by the value in ContentVariables (a JSON object), as
Twilio renders it. An unknown ContentSid is error 21655; missing or empty variables 21656.
By default the fake knows herinnering's shipped templates (config/whatsapp-templates.toml).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

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


@lru_cache(maxsize=1)
def shipped_contents() -> dict[str, FakeContent]:
    """herinnering's own approved templates, rendered once with the default configuration."""
    from herinnering.adapters.templates import MessageTemplates
    from herinnering.adapters.whatsapp_content import content_definitions
    from herinnering.config import load_settings
    from herinnering.resources import templates_dir

    definitions = content_definitions(MessageTemplates(templates_dir()), load_settings(environ={}))
    return {d.sid: FakeContent(d.sid, d.body, d.buttons, d.language) for d in definitions}
