"""On PostgreSQL the database itself refuses to change or delete an audit event, whoever connects."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION mepsis_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % is refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER access_auditevent_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON access_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION mepsis_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS access_auditevent_append_only ON access_auditevent;
DROP FUNCTION IF EXISTS mepsis_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("access", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
