import csv
import json
import os
import subprocess
import sys
import time

import pytest

from mepsis.enrollments.feed import COLUMNS

pytestmark = [pytest.mark.database, pytest.mark.slow]

ROWS = 150_000
ORGS = ("district_id,district_name,school_id,school_name,nces_district_id,nces_school_id,region,grades\n"
        "5621,Sturgeon Bay School District,0020,Sunrise Elementary,5514250,551425001234,CESA 7,PK-05\n")


def count(url: str, sql: str) -> int:
    if url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            return connection.execute(sql).fetchone()[0]
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute(sql).fetchone()[0]


def writing(url: str) -> bool:
    """Whether the ingest is inside its transaction, writing rows (not still reading the file)."""
    if url.startswith("sqlite:///"):
        wal = url.removeprefix("sqlite:///") + "-wal"
        return os.path.exists(wal) and os.path.getsize(wal) > 4_000_000
    return count(url.rsplit("/", 1)[0] + "/postgres",
                 "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() "
                 "AND query ILIKE '%mepsis_ingest%'") > 0


def test_an_ingest_killed_half_way_leaves_the_database_as_it_was_and_running_it_again_finishes_it(
        mepsis_process, scratch_database, tmp_path):
    orgs = tmp_path / "orgs.csv"
    orgs.write_text(ORGS)
    assert mepsis_process("init").returncode == 0
    assert mepsis_process("orgs", "load", orgs).returncode == 0
    feed = tmp_path / "feed.csv"
    with feed.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for number in range(ROWS):
            writer.writerow({column: "" for column in COLUMNS} | {
                "district_id": "5621", "school_id": "0020", "school_year": "2025-26",
                "local_student_id": f"S{number:07d}", "state_student_id": f"{number:010d}",
                "first_name": f"Student{number}", "last_name": "Example", "sex": "F", "birth_date": "2014-03-02",
                "grade": "05", "entry_date": "2025-09-02"})

    process = subprocess.Popen([sys.executable, "-m", "mepsis", "enrollments", "ingest", str(feed)],
                               env=mepsis_process.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not writing(scratch_database) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert process.poll() is None, "the ingest must be stopped while it writes for this test to mean anything"
    process.kill()
    process.wait()

    assert count(scratch_database, "SELECT count(*) FROM enrollments_enrollment") == 0
    assert count(scratch_database, "SELECT count(*) FROM enrollments_ingestrun") == 0

    again = mepsis_process("enrollments", "ingest", feed, "--format", "json")

    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert (summary["new"], summary["rejected"]) == (ROWS, 0)
    assert count(scratch_database, "SELECT count(*) FROM enrollments_enrollment") == ROWS
