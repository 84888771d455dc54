"""API tokens may expire: a token made before this migration keeps no end (``expires_at`` is
null), as it was promised when it was made; its holder is warned once before the end
(``expiry_warned_at``)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("people", "0008_membership_handle")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expiry_warned_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
