"""On PostgreSQL a published red/black list and its entries refuse UPDATE and DELETE, whoever asks:
a snapshot never changes (TRUNCATE stays with the database owner, as for the audit log)."""

from django.db import migrations

TABLES = ("reports_rankingpublication", "reports_rankingentry")

CREATE = """
CREATE OR REPLACE FUNCTION reports_ranking_frozen() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is a published snapshot: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"""
CREATE TRIGGER {table}_frozen BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION reports_ranking_frozen();
"""
    for table in TABLES
)

DROP = "".join(f"DROP TRIGGER IF EXISTS {table}_frozen ON {table};\n" for table in TABLES) + (
    "DROP FUNCTION IF EXISTS reports_ranking_frozen();\n"
)


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # None: the SQL has a literal %

    return run


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP), elidable=False)]
