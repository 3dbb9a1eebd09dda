# One image for web (gunicorn), the Celery workers, beat and the one-shot migrate service;
# docker-compose.yml picks the command. Dependencies come from pyproject.toml, pinned by
# constraints.txt. The image carries its reference data (qualifications/data) and runs as the
# unprivileged user `app`; it needs no host folder.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=config.settings.production
# gunicorn's workers and threads are config/gunicorn.py's defaults (2 x 8), as under `make run`
# and in `make bench`: the image runs the configuration that was measured (docs/performance.md).

WORKDIR /app

RUN groupadd --system app && useradd --system --gid app --home-dir /app --no-create-home app

# Dependencies alone first, so a source change does not reinstall them; the project's own code
# is used from /app (PYTHONPATH) rather than installed.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -c constraints.txt -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .

# The reference data ships in the image (.dockerignore keeps qualifications/data): fail the build
# rather than start a register with no frameworks.
RUN test -s qualifications/data/frameworks.json

# Settings need these to import; collectstatic touches neither the database nor Redis.
RUN DATABASE_URL=postgres://build@localhost/build \
    REDIS_URL=redis://localhost:6379/0 \
    SECRET_KEY=collectstatic-only \
    python manage.py collectstatic --noinput

# The signing keys' and the daily export's volumes mount here; a new named volume takes its
# directory's owner.
RUN mkdir -p /var/lib/registry/signing-keys /var/lib/registry/exports \
    && chown -R app:app /var/lib/registry && chmod 700 /var/lib/registry/signing-keys

USER app
EXPOSE 8000

# gthread workers, timeouts for long streamed exports, access log to stdout: config/gunicorn.py.
CMD ["gunicorn", "config.wsgi:application", "-c", "config/gunicorn.py"]
