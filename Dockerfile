# YSH web, worker and beat image (one image, the command picks the role).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    YSH_VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles

# Pango, HarfBuzz and fonts are what WeasyPrint needs to render PDFs (memorial descritivo,
# propostas); installed now so the PDF work does not change the base layer.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        fonts-dejavu \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 ysh \
    && useradd --system --uid 10001 --gid ysh --home-dir /app --shell /usr/sbin/nologin ysh

WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

# The code stays owned by root: the runtime user can read it, not change it.
COPY . .

# Static files are built into the image (whitenoise serves them with a manifest). settings.py
# refuses to start without SECRET_KEY when DEBUG is off; this one exists only for this step.
# var/media exists (owned by ysh) so a named volume mounted there starts writable.
RUN SECRET_KEY=collectstatic-build-only-not-a-secret python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media \
    && chown -R ysh:ysh /app/var /app/staticfiles

USER ysh

EXPOSE 8000

CMD ["gunicorn", "ysh.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--timeout", "60"]
