"""世帯番号 on Household and 宛名番号 on Person, unique when given (resident register import).

The columns are added with ALTER TABLE ... ADD COLUMN on both databases rather than by
Django's SQLite schema editor, which would rebuild registry_person from a copy and so drop
the triggers that keep the FTS5 search index in step (0002_person_search_index).
"""

from django.db import migrations, models

COLUMNS = [
    ("registry_household", "register_number"),
    ("registry_person", "resident_number"),
]


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_person_died_on")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"ALTER TABLE {table} ADD COLUMN {column} varchar(20) NOT NULL DEFAULT ''",
                    f"ALTER TABLE {table} DROP COLUMN {column}",
                )
                for table, column in COLUMNS
            ],
            state_operations=[
                migrations.AddField(
                    model_name="household",
                    name="register_number",
                    field=models.CharField(
                        blank=True, max_length=20, verbose_name="household number"
                    ),
                ),
                migrations.AddField(
                    model_name="person",
                    name="resident_number",
                    field=models.CharField(
                        blank=True, max_length=20, verbose_name="resident number"
                    ),
                ),
            ],
        ),
        migrations.AddConstraint(
            model_name="household",
            constraint=models.UniqueConstraint(
                condition=models.Q(("register_number", ""), _negated=True),
                fields=("register_number",),
                name="household_register_number_unique",
            ),
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.UniqueConstraint(
                condition=models.Q(("resident_number", ""), _negated=True),
                fields=("resident_number",),
                name="person_resident_number_unique",
            ),
        ),
    ]
