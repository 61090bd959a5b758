# Step 1 of 3 of the offers' and needs' public ids: the column, nullable (a default here would give
# every existing row the same value); 0011 fills it, 0012 makes it unique and required.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('matching', '0009_control_characters'),
    ]

    operations = [
        migrations.AddField(
            model_name='partneringneed',
            name='public_id',
            field=models.UUIDField(editable=False, null=True, verbose_name='public ID'),
        ),
        migrations.AddField(
            model_name='technologyoffer',
            name='public_id',
            field=models.UUIDField(editable=False, null=True, verbose_name='public ID'),
        ),
    ]
