from django.db import migrations


def seed(apps, schema_editor):
    from cases import taxonomy

    taxonomy.load(apps.get_model("cases", "Category"))
    SlaPolicy = apps.get_model("cases", "SlaPolicy")
    if not SlaPolicy.objects.filter(kind="", channel="").exists():
        # 30 minutes to respond, 24 hours to classify, 5 working days to resolve and feed back,
        # 10 working days to follow up: the limits of the platform the portal is modelled on.
        SlaPolicy.objects.create(name="默认时限", kind="", channel="")


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_cases")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
