from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0001_initial"),
    ]

    operations = [
        # Awards decided before the public summary existed keep an empty one: their notice shows none.
        migrations.AddField(
            model_name="award",
            name="public_summary",
            field=models.TextField(
                blank=True,
                default="",
                help_text=(
                    "Shown on the public challenge page and in the open data. It must not name or describe "
                    "other bidders."
                ),
                verbose_name="public summary",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="scoresheet",
            name="reopen_reason",
            field=models.TextField(blank=True, verbose_name="why the sheet was reopened"),
        ),
    ]
