from django.db import migrations


def seed(apps, schema_editor):
    from cases.risk.catalog import INDICATORS
    from cases.risk.rules import check_rule

    RiskIndicator = apps.get_model("cases", "RiskIndicator")
    for row in INDICATORS:
        # Only the missing ones: an indicator an administrator has edited stays as it is.
        RiskIndicator.objects.get_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "kind": row["kind"],
                "params": check_rule(row["kind"], row["params"]),
                "weight": row["weight"],
                "description": row["description"],
            },
        )


def unseed(apps, schema_editor):
    from cases.risk.catalog import INDICATORS

    apps.get_model("cases", "RiskIndicator").objects.filter(code__in=[row["code"] for row in INDICATORS]).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_risk")]

    operations = [migrations.RunPython(seed, unseed)]
