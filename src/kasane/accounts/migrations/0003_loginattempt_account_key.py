"""Keep sign-in attempts by a keyed hash of the user name, never the text typed.

Existing rows may hold a password typed into the user-name box; they only served the
15-minute throttle, so they are deleted rather than carried over.
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def forget_typed_user_names(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("accounts", "LoginAttempt").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]

    operations = [
        migrations.RunPython(forget_typed_user_names, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="loginattempt", name="login_attempt_user_at"),
        migrations.RenameField("loginattempt", "username", "account_key"),
        migrations.AlterField(
            model_name="loginattempt",
            name="account_key",
            field=models.CharField(max_length=64, verbose_name="account key"),
        ),
        migrations.AddIndex(
            model_name="loginattempt",
            index=models.Index(fields=["account_key", "at"], name="login_attempt_key_at"),
        ),
    ]
