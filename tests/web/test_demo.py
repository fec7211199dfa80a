"""`mepsis demo`: a synthetic state with work for every role, in its own SQLite file, and its users."""

import sqlite3

import pytest

pytestmark = pytest.mark.slow


def test_the_demo_builds_a_state_with_work_for_every_role_in_its_own_file(mepsis_process, tmp_path):
    built = mepsis_process("demo", "--no-serve")

    assert built.returncode == 0, built.stderr
    assert "demo-recruiter" in built.stderr and "cherry-harvest-2026" in built.stderr
    with sqlite3.connect(tmp_path / "demo.sqlite3") as db:
        statuses = dict(db.execute("select status, count(*) from registry_coe group by status"))
        districts = db.execute("select count(*) from orgs_district").fetchone()[0]
        open_alerts = db.execute("select count(*) from alerts_alert where acknowledged_at is null").fetchone()[0]
        candidates = db.execute("select count(*) from matching_matchcandidate where status = 'open'").fetchone()[0]
        authored = dict(db.execute("select c.status, count(*) from access_coeauthor a join registry_coe c "
                                   "on c.id = a.coe_id group by c.status"))
        users = {name for (name,) in db.execute("select username from auth_user")}
    assert set(statuses) == {"draft", "submitted", "returned", "approved", "rejected", "void"}
    assert sum(statuses.values()) > 3000 and districts >= 200
    assert open_alerts > 0 and candidates > 0
    assert {"draft", "submitted", "returned", "approved"} <= set(authored)
    assert {"demo-state-admin", "demo-reviewer", "demo-recruiter", "demo-district-staff", "demo-auditor"} <= users


def test_the_demo_never_builds_in_the_configured_database(mepsis):
    ran = mepsis("demo", "--no-serve")

    assert ran.code == 2 and "its own database" in ran.err
