"""How fast the audit log takes a bulk import's events and how fast `mepsis audit verify` walks them.

    MEPSIS_DATABASE_URL=... .venv/bin/python bench/audit_bench.py [EVENTS]

Writes EVENTS (default 100,000) events with record_many into a fresh scratch database of the kind
MEPSIS_DATABASE_URL names (SQLite when unset), then verifies the chain; prints the times.
"""

import os
import sys
import tempfile
import time
import uuid

EVENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000


def scratch_url() -> tuple[str, callable]:
    url = os.environ.get("MEPSIS_DATABASE_URL")
    if not url:
        return f"sqlite:///{tempfile.mkdtemp()}/audit_bench.sqlite3", lambda: None
    import psycopg

    name = f"mepsis_audit_bench_{uuid.uuid4().hex[:8]}"
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.rsplit("/", 1)[0] + "/" + name, drop


def main() -> None:
    url, drop = scratch_url()
    os.environ.update(MEPSIS_DATABASE_URL=url, DJANGO_SETTINGS_MODULE="mepsis.settings")
    os.environ.setdefault("MEPSIS_SECRET_KEY", "bench")
    import django

    django.setup()
    from django.core.management import call_command

    from mepsis.access import audit

    try:
        call_command("migrate", verbosity=0)
        events = [audit.event("cli:bench", "child.linked", "child", f"C{n:08d}", why="bench",
                              before={"state_student_id": None}, after={"state_student_id": f"9{n:09d}"})
                  for n in range(EVENTS)]
        started = time.perf_counter()
        audit.record_many(events)
        written = time.perf_counter() - started
        started = time.perf_counter()
        checked, broken = audit.verify_chain()
        verified = time.perf_counter() - started
        assert broken is None and checked == EVENTS
        print(f"{django.db.connection.vendor}: record_many {EVENTS} events {written:.2f} s "
              f"({EVENTS / written:,.0f}/s); verify {verified:.2f} s ({EVENTS / verified:,.0f}/s)")
    finally:
        django.db.connections.close_all()
        drop()


if __name__ == "__main__":
    main()
