"""The audit log moves from ``privacy`` to its own app: the model's state only.

The table (``privacy_auditevent``), its indexes and its append-only triggers stay as
``privacy`` 0001-0004 made them; no row moves. Only the content type is renamed."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def _rename_content_type(old: str, new: str):  # type: ignore[no-untyped-def]
    def rename(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        content_type = apps.get_model("contenttypes", "ContentType")
        content_type.objects.using(schema_editor.connection.alias).filter(
            app_label=old, model="auditevent"
        ).update(app_label=new)

    return rename


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("privacy", "0004_audit_append_only_triggers"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "sequence",
                            models.PositiveBigIntegerField(
                                editable=False, unique=True, verbose_name="sequence"
                            ),
                        ),
                        ("at", models.DateTimeField(editable=False, verbose_name="time")),
                        (
                            "actor_username",
                            models.CharField(blank=True, max_length=150, verbose_name="user name"),
                        ),
                        (
                            "agency_name",
                            models.CharField(blank=True, max_length=100, verbose_name="agency"),
                        ),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("view", "view"),
                                    ("search", "search"),
                                    ("create", "create"),
                                    ("update", "update"),
                                    ("delete", "delete"),
                                    ("login", "login"),
                                    ("login_failed", "failed login"),
                                    ("logout", "logout"),
                                ],
                                max_length=20,
                                verbose_name="action",
                            ),
                        ),
                        (
                            "object_type",
                            models.CharField(blank=True, max_length=50, verbose_name="object type"),
                        ),
                        (
                            "object_id",
                            models.CharField(blank=True, max_length=64, verbose_name="object id"),
                        ),
                        (
                            "legal_basis",
                            models.CharField(
                                choices=[
                                    ("own_agency", "registered by the actor's agency"),
                                    ("case_team", "member of the case's support team"),
                                    ("referral", "addressee of a referral"),
                                    ("coordination", "multi-agency coordination"),
                                    ("consent", "consent of the person"),
                                    (
                                        "support_meeting",
                                        "support meeting (Social Welfare Act art. 106-6)",
                                    ),
                                    ("break_glass", "protection of life or safety (break-glass)"),
                                    ("system", "system operation"),
                                    ("none", "no personal data"),
                                ],
                                max_length=20,
                                verbose_name="legal basis",
                            ),
                        ),
                        (
                            "request_id",
                            models.CharField(blank=True, max_length=64, verbose_name="request id"),
                        ),
                        (
                            "detail",
                            models.JSONField(blank=True, default=dict, verbose_name="detail"),
                        ),
                        ("previous_hash", models.CharField(editable=False, max_length=64)),
                        ("hash", models.CharField(editable=False, max_length=64, unique=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="actor",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "audit event",
                        "verbose_name_plural": "audit events",
                        "db_table": "privacy_auditevent",
                        "ordering": ["-sequence"],
                        "base_manager_name": "objects",
                        "indexes": [
                            models.Index(fields=["at"], name="audit_at"),
                            models.Index(fields=["actor_username", "at"], name="audit_actor_at"),
                            models.Index(fields=["object_type", "object_id"], name="audit_object"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            _rename_content_type("privacy", "audit"), _rename_content_type("audit", "privacy")
        ),
    ]
