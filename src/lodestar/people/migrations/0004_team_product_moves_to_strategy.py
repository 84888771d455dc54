from django.db import migrations


class Migration(migrations.Migration):
    """The team's product now lives in strategy (``strategy.ProductTeam``), which copied it."""

    dependencies = [
        ("people", "0003_membership_removed_at"),
        ("strategy", "0002_product_team"),
    ]

    operations = [
        migrations.RemoveField(model_name="team", name="product"),
    ]
