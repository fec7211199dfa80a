"""On PostgreSQL an audit event is appended by the database in one statement (``mepsis.access.audit``).

``mepsis_audit_lane()`` takes the lock of a lane of the chain for the transaction (the first free of 16, from
the one of the connection, else waiting for the connection's own; key 0x4D45505341554454 "MEPSAUDT" plus the
lane) and gives the lane with the hash of its last event, read after the lock was granted (a VOLATILE
function's statements each take a fresh snapshot). ``mepsis_audit_append(...)`` links one event after it:
its hash is SHA-256 over the previous hash and the event's canonical text, which Python computes
(``audit.canonical_text``), as ``audit.event_hash`` does.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION mepsis_audit_lane(OUT lane integer, OUT last_hash text) AS $$
BEGIN
    SELECT free.n INTO lane
      FROM (SELECT (pg_backend_pid() + g) % 16 AS n FROM generate_series(0, 15) g) free
     WHERE pg_try_advisory_xact_lock(5567944832822101076 + free.n) LIMIT 1;
    IF lane IS NULL THEN
        lane := pg_backend_pid() % 16;
        PERFORM pg_advisory_xact_lock(5567944832822101076 + lane);
    END IF;
    SELECT e.hash INTO last_hash FROM access_auditevent e WHERE e.lane = mepsis_audit_lane.lane
     ORDER BY e.id DESC LIMIT 1;
    last_hash := coalesce(last_hash, repeat('0', 64));
END;
$$ LANGUAGE plpgsql VOLATILE;

CREATE OR REPLACE FUNCTION mepsis_audit_append(p_at timestamptz, p_actor text, p_action text, p_type text,
                                               p_id text, p_why text, p_before jsonb, p_after jsonb,
                                               p_canonical text) RETURNS void AS $$
DECLARE
    chain record;
BEGIN
    SELECT * INTO chain FROM mepsis_audit_lane();
    INSERT INTO access_auditevent (at, actor, action, object_type, object_id, why, before, after, lane,
                                   prev_hash, hash)
    VALUES (p_at, p_actor, p_action, p_type, p_id, p_why, p_before, p_after, chain.lane, chain.last_hash,
            encode(sha256(convert_to(chain.last_hash || p_canonical, 'UTF8')), 'hex'));
END;
$$ LANGUAGE plpgsql VOLATILE;
"""
DROP = """
DROP FUNCTION IF EXISTS mepsis_audit_append(timestamptz, text, text, text, text, text, jsonb, jsonb, text);
DROP FUNCTION IF EXISTS mepsis_audit_lane();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("access", "0005_audit_lanes")]
    operations = [migrations.RunPython(forwards, backwards)]
