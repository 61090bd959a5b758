#!/usr/bin/env bash
# Restore a backup made by platform/backup.sh into the database at DATABASE_URL, replacing its
# contents, in one transaction: if anything fails, the database is left exactly as it was.
#
#   DATABASE_URL=postgres://user:pass@host:5432/salon RESTORE_CONFIRM=yes platform/restore.sh FILE
#
# Stop the web and worker containers first (docker compose stop web worker beat), restore, then
# start them again; migrations newer than the backup are applied by the entrypoint on start.
set -euo pipefail
: "${DATABASE_URL:?Set DATABASE_URL to the database to restore into}"
file="${1:?Give the backup file to restore}"
[ -s "$file" ] || { echo "restore.sh: $file does not exist or is empty" >&2; exit 2; }
if [ "${RESTORE_CONFIRM:-}" != "yes" ]; then
  echo "restore.sh: this replaces every table of $DATABASE_URL; set RESTORE_CONFIRM=yes to go on" >&2
  exit 2
fi
bindir="${PG_BINDIR:+$PG_BINDIR/}"
"${bindir}pg_restore" --list "$file" >/dev/null   # refuse a file that is not a readable archive
"${bindir}pg_restore" --clean --if-exists --no-owner --no-privileges --single-transaction \
  --exit-on-error --dbname="$DATABASE_URL" "$file"
echo "restored $file into the database"
