#!/usr/bin/env bash
# Back up the platform's PostgreSQL database to one compressed, self-contained archive.
#
#   DATABASE_URL=postgres://user:pass@host:5432/salon platform/backup.sh [OUT_DIR]
#
# Writes OUT_DIR/salon-YYYYmmddTHHMMSSZ.dump (pg_dump custom format: compressed, restorable table by
# table, portable across servers) and prints its path. A consistent snapshot is taken while the
# site keeps running. Uses pg_dump from PATH (or PG_BINDIR); the server's major version or newer.
set -euo pipefail
: "${DATABASE_URL:?Set DATABASE_URL to the database to back up}"
case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "backup.sh: DATABASE_URL must be a PostgreSQL URL (postgres://…)" >&2; exit 2 ;;
esac
out_dir="${1:-backups}"
mkdir -p "$out_dir"
pg_dump="${PG_BINDIR:+$PG_BINDIR/}pg_dump"
file="$out_dir/salon-$(date -u +%Y%m%dT%H%M%SZ).dump"
"$pg_dump" --format=custom --compress=6 --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$file.partial"
mv "$file.partial" "$file"   # never leave a truncated archive under the final name
echo "$file"
