from django.db import migrations, models

from events.agenda import CALENDAR_RELATED, calendar_fingerprint


def record_fingerprints(apps, schema_editor):
    """The entries published so far stay as they are: their sequence already counts their changes,
    so each meeting records what its entry shows now, and only a later change raises it."""
    Meeting = apps.get_model("events", "Meeting")
    meetings = list(Meeting.objects.select_related(*CALENDAR_RELATED).order_by("pk"))
    for meeting in meetings:
        meeting.calendar_fingerprint = calendar_fingerprint(meeting)
    Meeting.objects.bulk_update(meetings, ["calendar_fingerprint"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0004_meeting_request_moved"),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="calendar_fingerprint",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.RunPython(record_fingerprints, migrations.RunPython.noop),
    ]
