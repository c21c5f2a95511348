# Notification moved to accounts (accounts 0004 takes over the table): the state only;
# the table core_notification and its rows stay.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_notification'),
        ('accounts', '0004_notification'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='Notification')],
            database_operations=[],
        ),
    ]
