"""The need taxonomy Kasane starts with (issue #3); administrators extend it as data."""

from django.db import migrations

NEED_TYPES = [
    ("8050", "8050"),
    ("double_care", "ダブルケア"),
    ("young_carer", "ヤングケアラー"),
    ("hikikomori", "ひきこもり"),
    ("poverty", "生活困窮"),
    ("housing", "住まい"),
    ("money_management", "家計・金銭管理"),
    ("advocacy", "権利擁護"),
    ("decision_support", "意思決定支援"),
    ("abuse_dv", "虐待・DV"),
    ("isolation", "社会的孤立"),
    ("school_refusal", "不登校"),
    ("health", "心身の健康"),
    ("employment", "就労"),
    ("care", "介護"),
    ("childcare", "子育て"),
    ("disability", "障害"),
    ("debt", "債務"),
    ("food", "食料"),
]


def add(apps, schema_editor):  # type: ignore[no-untyped-def]
    NeedType = apps.get_model("intake", "NeedType")
    for order, (code, name) in enumerate(NEED_TYPES, start=1):
        NeedType.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order * 10})


def remove(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("intake", "NeedType").objects.filter(
        code__in=[code for code, _ in NEED_TYPES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_initial")]

    operations = [migrations.RunPython(add, remove)]
