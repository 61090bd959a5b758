#!/bin/sh
# Wait for PostgreSQL, apply migrations and collect static files (web only, MIGRATE=1), then run
# the given command.
set -eu

python - <<'PY'
import os, sys, time
import psycopg
from config.env import parse_database_url

db = parse_database_url(os.environ["DATABASE_URL"])
deadline = time.monotonic() + 60
while True:
    try:
        psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"],
                        dbname=db["NAME"], connect_timeout=3).close()
        break
    except psycopg.OperationalError as exc:
        if time.monotonic() > deadline:
            sys.exit(f"PostgreSQL not reachable after 60 s: {exc}")
        time.sleep(1)
PY

if [ "${MIGRATE:-0}" = "1" ]; then
    python manage.py migrate --noinput
    # Into the volume nginx serves /static/ from (docker-compose.yml): the files of this image.
    python manage.py collectstatic --noinput -v 0
    python manage.py load_seeds --no-demo
fi

exec "$@"
