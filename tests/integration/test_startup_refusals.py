"""A process that serves the webhooks refuses to start on an unsafe configuration: no Twilio
auth token (a signature made with the empty key would pass), or the payment sandbox where
money is real (an https public URL or `server.environment = "production"`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from herinnering.bootstrap import refuse_unsafe_web
from herinnering.config import load_settings
from herinnering.errors import ConfigError
from tests.integration.test_cli import herinnering

TWILIO = {"TWILIO_ACCOUNT_SID": "AC" + "ab" * 16, "TWILIO_AUTH_TOKEN": "a-real-auth-token", "TWILIO_FROM": "DeLinde"}


@pytest.mark.parametrize("command", [["serve", "--no-worker"], ["serve"]])
def test_serving_refuses_to_start_without_the_twilio_auth_token(tmp_path: Path, command: list[str]) -> None:
    env = {**TWILIO, "TWILIO_AUTH_TOKEN": ""}
    result = herinnering(*command, cwd=tmp_path, env=env, timeout=60)
    assert result.returncode == 2
    text = " ".join(result.stderr.split())
    assert "twilio.auth_token is not set" in text and "TWILIO_AUTH_TOKEN" in text and "[twilio] auth_token" in text
    assert not (tmp_path / "herinnering.db").exists()  # refused before anything was opened


@pytest.mark.parametrize(("env", "why"), [
    ({"HERINNERING_PUBLIC_URL": "https://huur.delinde.nl"}, "server.public_url is https"),
    ({"HERINNERING_SERVER__ENVIRONMENT": "production"}, 'server.environment is "production"'),
])
def test_serving_refuses_the_payment_sandbox_where_money_is_real(tmp_path: Path, env: dict[str, str],
                                                                  why: str) -> None:
    result = herinnering("serve", "--no-worker", cwd=tmp_path, env={**TWILIO, **env}, timeout=60)
    assert result.returncode == 2
    text = " ".join(result.stderr.split())
    assert 'payments.provider = "sandbox" is refused' in text and why in text and "[payments] provider" in text


def test_a_safe_configuration_passes_and_the_sandbox_stays_the_default_for_development() -> None:
    development = load_settings(environ=TWILIO)
    assert development.payments.provider == "sandbox" and development.server.environment == "development"
    refuse_unsafe_web(development)
    production = load_settings(environ={**TWILIO, "HERINNERING_PUBLIC_URL": "https://huur.delinde.nl",
                                        "HERINNERING_SERVER__ENVIRONMENT": "production",
                                        "HERINNERING_PAYMENTS__PROVIDER": "mollie", "MOLLIE_API_KEY": "live_abc123"})
    refuse_unsafe_web(production)
    with pytest.raises(ConfigError, match="server.environment"):
        load_settings(environ={"HERINNERING_SERVER__ENVIRONMENT": "staging"})


def test_production_refuses_an_http_public_url() -> None:
    settings = load_settings(environ={**TWILIO, "HERINNERING_SERVER__ENVIRONMENT": "production",
                                      "HERINNERING_PAYMENTS__PROVIDER": "mollie", "MOLLIE_API_KEY": "live_abc123"})
    with pytest.raises(ConfigError, match=r"server.public_url is http://127.0.0.1:8080 .*HERINNERING_PUBLIC_URL"):
        refuse_unsafe_web(settings)


def _deployment_environments() -> dict[str, dict[str, str]]:
    """The environment the Dockerfile and compose.yaml give the process, secrets filled in."""
    root = Path(__file__).resolve().parents[2]
    secrets = {**TWILIO, "MOLLIE_API_KEY": "live_abc123"}
    instructions = "\n".join(line for line in (root / "Dockerfile").read_text().splitlines()
                              if not line.lstrip().startswith("#"))
    docker = dict(re.findall(r"(HERINNERING_\w+)=(\S+)", instructions))
    compose = yaml.safe_load((root / "compose.yaml").read_text())["x-herinnering"]["environment"]

    def fill(value: str) -> str:  # ${NAME:-default} takes its default, ${NAME} the operator's secret
        return re.sub(r"\$\{(\w+)(?::-([^}]*))?\}", lambda m: m.group(2) or secrets.get(m.group(1), ""), value)

    return {"Dockerfile": {**secrets, **docker},
            "compose.yaml": {**secrets, **{k: fill(str(v)) for k, v in compose.items()}}}


@pytest.mark.parametrize("name", ["Dockerfile", "compose.yaml"])
def test_docker_and_compose_run_as_production_on_https(name: str) -> None:
    environ = _deployment_environments()[name]
    settings = load_settings(environ=environ)
    assert settings.server.environment == "production" and settings.payments.provider == "mollie"
    if name == "compose.yaml":
        assert settings.server.public_url.startswith("https://")  # cookies Secure, HSTS sent
        refuse_unsafe_web(settings)
    else:  # the image has no address of its own: it refuses to start until it is given an https one
        with pytest.raises(ConfigError, match="HERINNERING_PUBLIC_URL"):
            refuse_unsafe_web(settings)
        refuse_unsafe_web(load_settings(environ={**environ, "HERINNERING_PUBLIC_URL": "https://huur.delinde.nl"}))
