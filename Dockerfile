# Tamis service image: a slim Python base, the project installed in a virtual environment,
# run as an unprivileged user.
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
RUN python -m venv /opt/tamis \
    && /opt/tamis/bin/pip install --no-cache-dir .

FROM python:3.11-slim-bookworm
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin tamis \
    && mkdir -p /srv/tamis/data \
    && chown 10001:10001 /srv/tamis/data
COPY --from=build /opt/tamis /opt/tamis
COPY criteria /srv/tamis/criteria
ENV PATH=/opt/tamis/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    TAMIS_CRITERIA_DIR=/srv/tamis/criteria \
    TAMIS_DATABASE_URL=sqlite:////srv/tamis/data/tamis.db \
    TAMIS_DATA_DIR=/srv/tamis/data
WORKDIR /srv/tamis
USER 10001:10001
VOLUME ["/srv/tamis/data"]
EXPOSE 8000
# Migrate, make the first admin key if there is none (with TAMIS_ENV=production it only says how),
# then serve; set TAMIS_DATABASE_URL to a PostgreSQL URL to run several app servers.
CMD ["sh", "-c", "tamis db upgrade && tamis keys bootstrap && tamis users bootstrap && exec tamis serve --host 0.0.0.0 --port 8000"]
