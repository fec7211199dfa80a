"""Link the audit events written before the chain existed, in the order of their ids.

On PostgreSQL the append-only trigger is switched off for this one transaction (the migration runs as the
table's owner) and on again before it ends.
"""

from django.db import migrations

from mepsis.access.audit import GENESIS, event_hash

BATCH = 5000


def forwards(apps, schema_editor):
    AuditEvent = apps.get_model("access", "AuditEvent")
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute("ALTER TABLE access_auditevent DISABLE TRIGGER access_auditevent_append_only")
    previous, last_id = GENESIS, 0
    columns = ("id", "at", "actor", "action", "object_type", "object_id", "why", "before", "after")
    with schema_editor.connection.cursor() as cursor:
        while rows := list(AuditEvent.objects.filter(id__gt=last_id).order_by("id").values_list(*columns)[:BATCH]):
            links = []
            for id, *values in rows:
                current = event_hash(previous, dict(zip(columns[1:], values)))
                links.append((previous, current, id))
                previous, last_id = current, id
            cursor.executemany("UPDATE access_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", links)
    if postgresql:
        schema_editor.execute("ALTER TABLE access_auditevent ENABLE TRIGGER access_auditevent_append_only")


class Migration(migrations.Migration):
    dependencies = [("access", "0003_roles_tokens_audit_chain")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
