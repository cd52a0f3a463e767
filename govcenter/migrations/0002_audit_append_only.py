"""On PostgreSQL the audit table refuses UPDATE and DELETE, whoever asks.

TRUNCATE is left to the database owner (it is how tests reset tables); the production role the
portal connects as should be granted only SELECT and INSERT on this table.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION govcenter_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'govcenter_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER govcenter_auditevent_append_only
    BEFORE UPDATE OR DELETE ON govcenter_auditevent
    FOR EACH ROW EXECUTE FUNCTION govcenter_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS govcenter_auditevent_append_only ON govcenter_auditevent;
DROP FUNCTION IF EXISTS govcenter_audit_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # None: the SQL has a literal %

    return run


class Migration(migrations.Migration):
    dependencies = [("govcenter", "0001_core")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP), elidable=False)]
