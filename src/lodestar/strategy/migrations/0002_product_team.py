import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def copy_team_products(apps, schema_editor):
    """Each team's product (the old ``people.Team.product``) becomes a ProductTeam link."""
    Team = apps.get_model("people", "Team")
    ProductTeam = apps.get_model("strategy", "ProductTeam")
    ProductTeam.objects.bulk_create(
        ProductTeam(team_id=team_id, product_id=product_id)
        for team_id, product_id in Team.objects.filter(product__isnull=False).values_list(
            "id", "product_id"
        )
    )


def copy_back(apps, schema_editor):
    Team = apps.get_model("people", "Team")
    ProductTeam = apps.get_model("strategy", "ProductTeam")
    for link in ProductTeam.objects.all():
        Team.objects.filter(pk=link.team_id).update(product_id=link.product_id)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_membership_removed_at"),
        ("strategy", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProductTeam",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="team_links",
                        to="strategy.product",
                    ),
                ),
                (
                    "team",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="product_link",
                        to="people.team",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="product",
            name="teams",
            field=models.ManyToManyField(
                related_name="products", through="strategy.ProductTeam", to="people.team"
            ),
        ),
        migrations.RunPython(copy_team_products, copy_back),
    ]
