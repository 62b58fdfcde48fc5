# herinnering: the web app, webhooks and scheduler in one process (`herinnering serve`).
# Configure with environment variables (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM,
# HERINNERING_DATABASE_URL, HERINNERING_PUBLIC_URL, MOLLIE_API_KEY) or a mounted TOML file
# (HERINNERING_CONFIG). The image runs as production: start-up refuses an http public URL
# (set HERINNERING_PUBLIC_URL=https://huur.example.nl, the address behind your TLS proxy; the
# session cookie is then Secure), an empty Twilio auth token and the payment sandbox.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY herinnering ./herinnering
COPY templates ./templates
COPY config ./config
RUN pip install . && useradd --create-home --uid 10001 herinnering && mkdir -p /data && chown herinnering /data

USER herinnering
WORKDIR /data
ENV HERINNERING_DATABASE_URL=sqlite+aiosqlite:////data/herinnering.db \
    HERINNERING_SERVER__HOST=0.0.0.0 \
    HERINNERING_SERVER__ENVIRONMENT=production \
    HERINNERING_PAYMENTS__PROVIDER=mollie
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/health', timeout=4).status == 200 else 1)"
CMD ["herinnering", "serve"]
