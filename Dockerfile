# herinnering: the web app, webhooks and scheduler in one process (`herinnering serve`).
# Configure with environment variables (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM,
# HERINNERING_DATABASE_URL, HERINNERING_PUBLIC_URL, MOLLIE_API_KEY) or a mounted TOML file
# (HERINNERING_CONFIG). The image runs as production: start-up refuses an http public URL
# (set HERINNERING_PUBLIC_URL=https://huur.example.nl, the address behind your TLS proxy; the
# session cookie is then Secure), an empty Twilio auth token and the payment sandbox.
#
# Two stages: `build` installs the locked dependencies (requirements.lock, every file checked
# against its hash) into /venv before any code is copied, so a code change reuses that layer;
# then it builds herinnering's own wheel with the locked build backend. The runtime stage is
# python:3.11-slim with /venv only, run as an unprivileged user; the SQLite database (the
# default) lives in the volume /data.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /venv
COPY requirements.lock requirements-build.lock /tmp/
RUN /venv/bin/pip install --require-hashes --no-deps -r /tmp/requirements.lock \
 && pip install --require-hashes --no-deps -r /tmp/requirements-build.lock
WORKDIR /src
COPY pyproject.toml README.md ./
COPY herinnering ./herinnering
COPY templates ./templates
COPY config ./config
RUN pip wheel --no-deps --no-build-isolation --wheel-dir /wheels . \
 && /venv/bin/pip install --no-deps /wheels/*.whl \
 && /venv/bin/pip check

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/venv/bin:$PATH
RUN groupadd --gid 10001 herinnering \
 && useradd --create-home --uid 10001 --gid 10001 herinnering \
 && mkdir -p /data && chown 10001:10001 /data
COPY --from=build /venv /venv

USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
ENV HERINNERING_DATABASE_URL=sqlite+aiosqlite:////data/herinnering.db \
    HERINNERING_SERVER__HOST=0.0.0.0 \
    HERINNERING_SERVER__ENVIRONMENT=production \
    HERINNERING_PAYMENTS__PROVIDER=mollie
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/health', timeout=4).status == 200 else 1)"]
CMD ["herinnering", "serve"]
