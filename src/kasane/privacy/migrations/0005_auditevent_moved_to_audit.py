"""The audit log is ``kasane.audit`` now (its 0001): the model leaves this app's state; the
table, its indexes and its triggers stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0004_audit_append_only_triggers"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEvent")],
            database_operations=[],
        ),
    ]
