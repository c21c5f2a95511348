"""The share of consultations reached through outreach is counted in per cent (25.0 %), as
reports write it, instead of as a fraction (0.25 「割合」): the seeded indicator's unit follows,
and its targets, set as fractions, are scaled with it."""

from decimal import Decimal

from django.db import migrations


def to_percent(apps, schema_editor):  # type: ignore[no-untyped-def]
    Indicator = apps.get_model("evaluation", "Indicator")
    Target = apps.get_model("evaluation", "Target")
    for indicator in Indicator.objects.filter(computation="outreach_share", unit="割合"):
        for target in Target.objects.filter(indicator=indicator):
            target.value = target.value * Decimal(100)
            target.save(update_fields=["value"])
        indicator.unit = "%"
        indicator.save(update_fields=["unit"])


def to_fraction(apps, schema_editor):  # type: ignore[no-untyped-def]
    Indicator = apps.get_model("evaluation", "Indicator")
    Target = apps.get_model("evaluation", "Target")
    for indicator in Indicator.objects.filter(computation="outreach_share", unit="%"):
        for target in Target.objects.filter(indicator=indicator):
            target.value = target.value / Decimal(100)
            target.save(update_fields=["value"])
        indicator.unit = "割合"
        indicator.save(update_fields=["unit"])


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0003_self_assessment_updated_by_workload_kinds")]

    operations = [migrations.RunPython(to_percent, to_fraction)]
