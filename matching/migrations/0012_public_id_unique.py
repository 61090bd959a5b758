# Step 3 of 3 of the offers' and needs' public ids: unique, required, a uuid4 by default.

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('matching', '0011_public_id_fill'),
    ]

    operations = [
        migrations.AlterField(
            model_name='partneringneed',
            name='public_id',
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='public ID'),
        ),
        migrations.AlterField(
            model_name='technologyoffer',
            name='public_id',
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='public ID'),
        ),
    ]
