import unicodedata

from django.db import migrations, models


def _fold(name):
    # As lodestar.backlog.models.fold_label, frozen here so the migration never changes.
    return unicodedata.normalize("NFC", " ".join(name.split())).casefold()


def fold_names(apps, schema_editor):
    """Store each label's folded name; labels that fold alike in one product (on SQLite,
    "Équipe" and "équipe" could both exist) become one, keeping every item's link."""
    Label = apps.get_model("backlog", "Label")
    Link = apps.get_model("backlog", "BacklogItem").labels.through
    kept = {}
    for label in Label.objects.order_by("product_id", "id"):
        folded = _fold(label.name)
        first = kept.get((label.product_id, folded))
        if first is None:
            kept[(label.product_id, folded)] = label.pk
            Label.objects.filter(pk=label.pk).update(folded=folded)
            continue
        linked = set(Link.objects.filter(label_id=first).values_list("backlogitem_id", flat=True))
        for link in Link.objects.filter(label_id=label.pk):
            if link.backlogitem_id not in linked:
                Link.objects.filter(pk=link.pk).update(label_id=first)
        Link.objects.filter(label_id=label.pk).delete()
        Label.objects.filter(pk=label.pk).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("backlog", "0003_stored_rendered_markdown"),
    ]

    operations = [
        migrations.AddField(
            model_name="label",
            name="folded",
            field=models.CharField(default="", max_length=160),
            preserve_default=False,
        ),
        migrations.RunPython(fold_names, migrations.RunPython.noop),
    ]
