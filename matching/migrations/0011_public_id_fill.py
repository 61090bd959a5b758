# Step 2 of 3 of the offers' and needs' public ids: a random uuid4 for every existing row. A
# migration of its own, apart from the schema changes around it (PostgreSQL refuses to alter a
# table with pending trigger events in the same transaction).

import uuid

from django.db import migrations

MODELS = ("TechnologyOffer", "PartneringNeed")


def fill_public_ids(apps, schema_editor):
    """Give each offer and need without a public id a fresh uuid4."""
    for name in MODELS:
        model = apps.get_model("matching", name)
        rows = list(model.objects.filter(public_id__isnull=True).only("pk"))
        for row in rows:
            row.public_id = uuid.uuid4()
        model.objects.bulk_update(rows, ["public_id"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('matching', '0010_public_id_add'),
    ]

    operations = [
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop, elidable=False),
    ]
