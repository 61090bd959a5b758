"""The meeting request now lives in ``events`` (``events`` 0004): drop it from this app's state only
(the table stays) and move its content type, so that permissions and admin history follow it."""

from django.db import migrations


def relabel_content_type(apps, schema_editor, *, source="matching", target="events"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=target, model="meetingrequest").exists():
        ContentType.objects.filter(app_label=source, model="meetingrequest").update(app_label=target)


def relabel_back(apps, schema_editor):
    relabel_content_type(apps, schema_editor, source="events", target="matching")


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("events", "0004_meeting_request_moved"),
        ("matching", "0007_offer_teaser"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="MeetingRequest")],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_type, relabel_back),
    ]
