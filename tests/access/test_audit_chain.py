"""The audit log is one hash chain: each event carries the hash of the one before, and `mepsis audit verify`
finds the first event changed, removed or slipped in, on SQLite and PostgreSQL."""

import importlib
import json
import subprocess
import sys
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from mepsis.access import audit
from mepsis.access.audit import GENESIS, verify_chain
from mepsis.access.models import AppendOnly, AuditEvent, Role
from mepsis.access.queries import search_audit
from mepsis.access.scope import scope_for
from mepsis.access.testing import make_user

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif("connection.vendor != 'postgresql'")


def some_events(count=5):
    audit.record("cli:test", "coe.created", "coe", "WI-1", why="importó", after={"status": "draft", "n": 1.5})
    audit.record_many([audit.event("cli:test", "child.linked", "child", f"C{n}", before={"ids": [n, None]},
                                   after={"name": "Añá"}) for n in range(count - 1)])
    return list(AuditEvent.objects.order_by("id"))


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_each_event_carries_the_hash_of_the_one_before():
    events = some_events()
    assert events[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:]))
    assert len({event.hash for event in events}) == len(events)
    assert verify_chain() == (len(events), None)


def test_a_changed_event_breaks_the_chain_at_that_event(mepsis):
    events = some_events()
    assert mepsis("audit", "verify").code == 0
    with _tampering():
        raw("UPDATE access_auditevent SET why = 'nothing happened' WHERE id = %s", [events[2].pk])
    checked, broken = verify_chain()
    assert (broken.event_id, broken.reason, checked) == (events[2].pk, "hash", 3)
    ran = mepsis("audit", "verify", "--format", "json")
    assert ran.code == 1 and ran.json() == {"checked": 3, "intact": False, "broken_at": events[2].pk,
                                            "reason": "hash"}
    assert f"event {events[2].pk}" in ran.err


def test_a_removed_event_breaks_the_chain_at_the_next_one():
    events = some_events()
    with _tampering():
        raw("DELETE FROM access_auditevent WHERE id = %s", [events[1].pk])
    assert verify_chain()[1] == audit.BrokenLink(events[2].pk, "prev_hash")


def test_a_rehashed_forgery_still_breaks_the_link_after_it():
    events = some_events()
    forged = dict(audit.fields_of(events[1]), why="forged")
    with _tampering():
        raw("UPDATE access_auditevent SET why = 'forged', hash = %s WHERE id = %s",
            [audit.event_hash(events[1].prev_hash, forged), events[1].pk])
    assert verify_chain()[1] == audit.BrokenLink(events[2].pk, "prev_hash")


def test_the_application_cannot_update_or_delete_an_event():
    event = some_events(1)[0]
    for attempt in (lambda: AuditEvent.objects.all().update(why="x"), lambda: AuditEvent.objects.all().delete(),
                    event.delete, event.save):
        with pytest.raises(AppendOnly):
            attempt()


@postgresql_only
@pytest.mark.parametrize("statement", ["UPDATE access_auditevent SET why = 'x'", "DELETE FROM access_auditevent",
                                       "TRUNCATE access_auditevent"])
def test_postgresql_refuses_to_change_or_delete_events(statement):
    some_events(2)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw(statement)
    assert AuditEvent.objects.count() == 2


def test_the_migration_chains_the_events_written_before_the_chain():
    some_events()
    with _tampering():
        raw("UPDATE access_auditevent SET prev_hash = '', hash = ''")
    assert verify_chain()[1] is not None
    migration = importlib.import_module("mepsis.access.migrations.0004_chain_existing_events")
    # The migration uses only the editor's connection and execute (a real editor cannot open inside a test's
    # transaction on SQLite).
    migration.forwards(django_apps, SimpleNamespace(connection=connection, execute=lambda sql, params=None: raw(sql)))
    assert verify_chain() == (5, None)
    if connection.vendor == "postgresql":
        with pytest.raises(Exception, match="append-only"), transaction.atomic():
            raw("DELETE FROM access_auditevent")


WRITER = """
import django, sys
django.setup()
from mepsis.access import audit
for n in range(25):
    audit.record(f"writer{sys.argv[1]}", "test.wrote", "test", str(n))
"""


@pytest.mark.slow
def test_concurrent_writers_append_one_after_the_other(mepsis_process):
    assert mepsis_process("init").returncode == 0
    env = {**mepsis_process.env, "DJANGO_SETTINGS_MODULE": "mepsis.settings"}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(number)], env=env) for number in range(4)]
    assert [writer.wait(timeout=300) for writer in writers] == [0, 0, 0, 0]
    ran = mepsis_process("audit", "verify", "--format", "json")
    assert ran.returncode == 0, ran.stderr
    report = json.loads(ran.stdout)
    assert report["intact"] and report["checked"] > 100


HOLDER = """
import pathlib, sys, time
import django
django.setup()
from django.db import transaction
from mepsis.access import audit
with transaction.atomic():
    audit.record("holder", "test.wrote", "test", "held")
    pathlib.Path(sys.argv[1]).touch()
    while not pathlib.Path(sys.argv[2]).exists():
        time.sleep(0.05)
"""


LANES = """
import json
import django
django.setup()
from mepsis.access.models import AuditEvent
print(json.dumps([list(AuditEvent.objects.filter(actor=actor).values_list("lane", flat=True).distinct())
                  for actor in ("holder", "writer9")]))
"""


@postgresql_only
@pytest.mark.slow
def test_a_writer_does_not_wait_for_another_holding_its_lane(mepsis_process, tmp_path):
    assert mepsis_process("init").returncode == 0
    env = {**mepsis_process.env, "DJANGO_SETTINGS_MODULE": "mepsis.settings"}
    written, done = tmp_path / "written", tmp_path / "done"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(written), str(done)], env=env)
    try:
        while not written.exists():
            assert holder.poll() is None
        # The holder's transaction is still open: a writer in its lane would wait for it forever.
        other = subprocess.run([sys.executable, "-c", WRITER, "9"], env=env, timeout=120)
        assert other.returncode == 0
    finally:
        done.touch()
        assert holder.wait(timeout=120) == 0
    lanes = subprocess.run([sys.executable, "-c", LANES], env=env, capture_output=True, text=True, check=True)
    held, wrote = (set(lanes) for lanes in json.loads(lanes.stdout))
    assert len(held) == 1 and not held & wrote
    ran = mepsis_process("audit", "verify", "--format", "json")
    assert ran.returncode == 0 and json.loads(ran.stdout)["intact"]


def test_reads_and_exports_are_recorded_with_the_username():
    user = make_user(Role.DISTRICT_STAFF)
    audit.record_read(user, "child", "C1")
    audit.record_export(user, "migrant_list/9001", 42)
    assert list(AuditEvent.objects.values_list("actor", "action", "object_type", "object_id", "after")) == [
        (user.username, "child.read", "child", "C1", None),
        (user.username, "export", "export", "migrant_list/9001", {"count": 42})]
    from django.contrib.auth.models import AnonymousUser

    assert audit.actor_of(AnonymousUser()) == "anonymous"
    assert verify_chain()[1] is None


def test_search_finds_events_by_every_criterion_for_those_who_may_read_the_log():
    some_events()
    auditor = scope_for(make_user(Role.AUDITOR))
    assert search_audit(auditor).count() == 5
    assert [event.object_id for event in search_audit(auditor, action="child.", object_id="C1")] == ["C1"]
    assert search_audit(auditor, action="coe.created", actor="cli:test", object_type="coe").count() == 1
    first = AuditEvent.objects.order_by("id").first()
    assert search_audit(auditor, until=first.at).count() == 0
    assert search_audit(auditor, since=first.at, until=timezone.now()).count() == 5
    for role in (Role.REVIEWER, Role.DISTRICT_STAFF):
        with pytest.raises(PermissionDenied):
            search_audit(scope_for(make_user(role, district=None)))


class _tampering:
    """What only someone with the database's superuser could do: on PostgreSQL, switch the append-only trigger
    off around the change."""

    def __enter__(self):
        if connection.vendor == "postgresql":
            raw("ALTER TABLE access_auditevent DISABLE TRIGGER access_auditevent_append_only")

    def __exit__(self, *exc):
        if connection.vendor == "postgresql":
            raw("ALTER TABLE access_auditevent ENABLE TRIGGER access_auditevent_append_only")
