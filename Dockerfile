# The production image: one image, three roles (web, worker, beat) chosen by the command.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production

WORKDIR /app
RUN useradd --create-home --uid 10001 portal

COPY requirements/ requirements/
RUN pip install --no-cache-dir "pip==26.3" \
    && pip install --no-cache-dir --build-constraint requirements/build-constraints.txt -r requirements/production.txt

COPY . .
# collectstatic needs settings, not secrets: build-time placeholders only.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media && chown -R portal:portal /app/var

USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--config", "gunicorn.conf.py"]
