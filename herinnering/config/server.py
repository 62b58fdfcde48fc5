"""`[server]`: where the web process listens and how the world reaches it."""

from __future__ import annotations

from dataclasses import dataclass

from herinnering.config.validator import Section


@dataclass(frozen=True)
class ServerSettings:
    host: str
    port: int
    public_url: str
    environment: str   # "production" refuses what is for trying only (the payment sandbox)
    metrics_port: int  # `herinnering worker` serves /metrics on this port (0: none)


def parse(s: Section) -> ServerSettings:
    return ServerSettings(
        host=s.text("host"), port=s.integer("port", 0, 65_535), public_url=s.url("public_url"),
        environment=s.choice("environment", ("development", "production")),
        metrics_port=s.integer("metrics_port", 0, 65_535),
    )
