"""Two indicators report what their names say: the days from the first consultation to the
first approved plan as their median (日, not the number of cases, 件), and reviews on time
as a share (%, not the number held). The seeded indicators follow where the municipality
has not renamed them; a target set in the old unit is removed, as it measured something
else (the log of targets is the indicator's history page)."""

from django.db import migrations

CHANGES = {
    # code: (old name, old unit, new name, new unit)
    "days_to_first_plan": (
        "初回相談から支援プラン確定までの日数",
        "件",
        "初回相談から支援プラン確定までの日数（中央値）",
        "日",
    ),
    "reviews_on_time": (
        "モニタリング・評価の期日内実施",
        "件",
        "モニタリング・評価の期日内実施率",
        "%",
    ),
}


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    Indicator = apps.get_model("evaluation", "Indicator")
    Target = apps.get_model("evaluation", "Target")
    for code, (old_name, old_unit, new_name, new_unit) in CHANGES.items():
        for indicator in Indicator.objects.filter(computation=code, unit=old_unit):
            Target.objects.filter(indicator=indicator).delete()
            indicator.unit = new_unit
            if indicator.name == old_name:
                indicator.name = new_name
            indicator.save(update_fields=["unit", "name"])


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    Indicator = apps.get_model("evaluation", "Indicator")
    for code, (old_name, old_unit, new_name, new_unit) in CHANGES.items():
        for indicator in Indicator.objects.filter(computation=code, unit=new_unit):
            indicator.unit = old_unit
            if indicator.name == new_name:
                indicator.name = old_name
            indicator.save(update_fields=["unit", "name"])


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0004_outreach_share_in_percent")]

    operations = [migrations.RunPython(forward, backward)]
