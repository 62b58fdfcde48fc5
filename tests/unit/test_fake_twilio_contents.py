"""The fake Twilio knows herinnering's approved WhatsApp texts from a file of its own
(`herinnering/fakes/twilio_contents.json`: the fakes import nothing of the app). This keeps the
file equal to what the app renders; after changing a WhatsApp template or the registry, run
`python tests/unit/test_fake_twilio_contents.py` to write it again."""

from __future__ import annotations

import json

from herinnering.adapters.templates import MessageTemplates
from herinnering.adapters.whatsapp_content import content_definitions
from herinnering.config import load_settings
from herinnering.fakes.twilio_content import CONTENTS_FILE, load_contents
from herinnering.resources import templates_dir


def rendered_by_the_app() -> str:
    definitions = content_definitions(MessageTemplates(templates_dir()), load_settings(environ={}))
    entries = [{"sid": d.sid, "language": d.language, "body": d.body, "buttons": [list(b) for b in d.buttons]}
               for d in definitions]
    return "[\n" + ",\n".join(json.dumps(entry, ensure_ascii=False) for entry in entries) + "\n]\n"  # a line each


def test_the_fake_twilio_knows_every_approved_text_as_the_app_renders_it() -> None:
    assert CONTENTS_FILE.read_text(encoding="utf-8") == rendered_by_the_app(), (
        "the fake Twilio's content templates are out of date: run python tests/unit/test_fake_twilio_contents.py")


def test_the_fake_reads_each_content_template_with_its_buttons() -> None:
    contents = load_contents(CONTENTS_FILE)
    definitions = content_definitions(MessageTemplates(templates_dir()), load_settings(environ={}))
    assert {d.sid: (d.body, d.buttons, d.language) for d in definitions} == {
        sid: (c.body, c.buttons, c.language) for sid, c in contents.items()}


if __name__ == "__main__":
    CONTENTS_FILE.write_text(rendered_by_the_app(), encoding="utf-8")
    print(f"wrote {CONTENTS_FILE}")
