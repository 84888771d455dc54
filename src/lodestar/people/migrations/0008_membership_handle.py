"""Members' handles (``@quinn``): every existing membership gets its email's local part, fitted
to the rule and numbered when taken in its workspace (by another member or a team)."""

from django.db import migrations, models
from django.db.models.functions import Lower

from lodestar.people.handles import free_handle, handle_base


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    Membership = apps.get_model("people", "Membership")
    Team = apps.get_model("people", "Team")
    taken: dict[int, set[str]] = {}
    rows = Membership.objects.select_related("user").order_by("workspace_id", "created_at", "pk")
    for membership in rows:
        names = taken.get(membership.workspace_id)
        if names is None:
            names = set(
                Team.objects.filter(workspace_id=membership.workspace_id).values_list(
                    "slug", flat=True
                )
            )
            taken[membership.workspace_id] = names
        handle = free_handle(handle_base(membership.user.email), names.__contains__)
        names.add(handle)
        Membership.objects.filter(pk=membership.pk).update(handle=handle)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0007_workspace_currency"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="handle",
            field=models.CharField(default="", max_length=32),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.UniqueConstraint(
                models.F("workspace"), Lower("handle"), name="membership_unique_handle"
            ),
        ),
    ]
