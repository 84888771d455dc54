from django.db import migrations, models


class Migration(migrations.Migration):
    """Labels are unique per product by their folded name (a migration of its own: PostgreSQL
    does not alter a table in the transaction that just rewrote its rows)."""

    dependencies = [
        ("backlog", "0004_label_folded"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="label", name="label_unique_name"),
        migrations.AddConstraint(
            model_name="label",
            constraint=models.UniqueConstraint(
                fields=("product", "folded"), name="label_unique_folded"
            ),
        ),
    ]
