"""The documented PostgreSQL backup and restore (platform/backup.sh, platform/restore.sh) against
a real cluster started on loopback: a restore brings back exactly what the backup held."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
from psycopg import sql

from tests.services import postgres_bindir, postgres_server

ROOT = Path(__file__).resolve().parents[2]


def run(command, env, **kwargs):
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, **kwargs)


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as connection:
        tables = ["matching_devicearea", "matching_concept", "accounts_organization"]
        query = sql.SQL("SELECT count(*) FROM {}")
        return {table: connection.execute(query.format(sql.Identifier(table))).fetchone()[0] for table in tables}


def test_a_backup_restores_the_database_after_data_is_lost(tmp_path):
    with postgres_server() as url:
        env = {**os.environ, "DATABASE_URL": url, "PG_BINDIR": str(postgres_bindir()), "EMBEDDING_BACKEND": "lexical"}
        env.pop("DJANGO_ENV", None)
        assert run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env).returncode == 0
        loaded = run([sys.executable, "manage.py", "load_seeds", "--no-demo"], env)
        assert loaded.returncode == 0, loaded.stderr
        with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as connection:
            connection.execute(
                "INSERT INTO accounts_organization (kind, name_ko, name_en, slug, country, website, description, "
                "business_registration_number, cluster, contact_email, contact_phone, created_at, updated_at) "
                "VALUES ('corporate', '백업테스트', 'Backup Test', 'backup-test', 'DE', '', '', '', '', '', '', "
                "now(), now())"
            )
        before = counts(url)
        assert before["matching_concept"] >= 200 and before["accounts_organization"] == 1

        backup = run(["bash", "platform/backup.sh", str(tmp_path)], env)
        assert backup.returncode == 0, backup.stderr
        archive = Path(backup.stdout.strip())
        assert archive.parent == tmp_path and archive.name.startswith("salon-") and archive.suffix == ".dump"

        # Disaster: rows deleted.
        with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as connection:
            connection.execute("DELETE FROM accounts_organization")
            connection.execute("DELETE FROM matching_concept")
        assert counts(url)["matching_concept"] == 0

        refused = run(["bash", "platform/restore.sh", str(archive)], env)
        assert refused.returncode == 2 and "RESTORE_CONFIRM=yes" in refused.stderr
        broken = tmp_path / "broken.dump"
        broken.write_bytes(b"not an archive")
        failed = run(["bash", "platform/restore.sh", str(broken)], {**env, "RESTORE_CONFIRM": "yes"})
        assert failed.returncode != 0
        assert counts(url)["matching_concept"] == 0  # a bad file changes nothing

        restored = run(["bash", "platform/restore.sh", str(archive)], {**env, "RESTORE_CONFIRM": "yes"})
        assert restored.returncode == 0, restored.stderr
        assert counts(url) == before
