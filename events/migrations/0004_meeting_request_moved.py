"""The meeting request moves from ``matching`` to ``events`` (its home: a salon's workflow).

Only Django's state changes: the table keeps its name (``db_table = "matching_meetingrequest"``),
its rows, indexes, constraints and the foreign key from ``events.Meeting``. ``matching`` 0008
removes the model from its own state and relabels the content type."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_audit_log'),
        ('events', '0003_meetings_outcomes'),
        ('matching', '0007_offer_teaser'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='MeetingRequest',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('origin', models.CharField(choices=[('proposal', 'Proposed by the platform'), ('startup', 'Requested by the startup'), ('corporate', 'Requested by the BD team'), ('organizer', 'Arranged by the organizer')], max_length=10, verbose_name='origin')),
                    ('status', models.CharField(choices=[('proposed', 'Proposed'), ('pending', 'Pending'), ('accepted', 'Accepted'), ('declined', 'Declined'), ('expired', 'Expired'), ('cancelled', 'Cancelled')], max_length=10, verbose_name='status')),
                    ('score', models.FloatField(blank=True, null=True, verbose_name='match score')),
                    ('message', models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='message')),
                    ('decline_reason', models.CharField(blank=True, choices=[('not_focus_area', 'Not our focus area'), ('too_early', 'Too early stage'), ('regulatory', 'Regulatory status insufficient'), ('already_in_contact', 'Already in contact'), ('no_capacity', 'No capacity'), ('other', 'Other')], max_length=20, verbose_name='decline reason')),
                    ('decline_note', models.TextField(blank=True, max_length=1000, validators=[django.core.validators.MaxLengthValidator(1000)], verbose_name='note')),
                    ('expires_at', models.DateTimeField(blank=True, null=True, verbose_name='expires at')),
                    ('expiry_warned_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='expiry warning sent at')),
                    ('responded_at', models.DateTimeField(blank=True, null=True, verbose_name='answered at')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                    ('corporate', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='corporate_meeting_requests', to='accounts.organization', verbose_name='BD team')),
                    ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                    ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='meeting_requests', to='events.event', verbose_name='salon')),
                    ('need', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='meeting_requests', to='matching.partneringneed', verbose_name='need')),
                    ('offer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='meeting_requests', to='matching.technologyoffer', verbose_name='offer')),
                    ('recipient', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='received_meeting_requests', to='accounts.organization', verbose_name='receiving organization')),
                    ('requester', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='sent_meeting_requests', to='accounts.organization', verbose_name='requesting organization')),
                    ('responded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='answered by')),
                    ('startup', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='startup_meeting_requests', to='accounts.organization', verbose_name='startup')),
                ],
                options={
                    'verbose_name': 'meeting request',
                    'verbose_name_plural': 'meeting requests',
                    'db_table': 'matching_meetingrequest',
                    'ordering': ['-created_at', '-id'],
                },
            ),
            migrations.AlterField(
                model_name='meeting',
                name='request',
                field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='meeting', to='events.meetingrequest', verbose_name='meeting request'),
            ),
            migrations.AddIndex(
                model_name='meetingrequest',
                index=models.Index(fields=['event', 'status'], name='meeting_request_event_status'),
            ),
            migrations.AddIndex(
                model_name='meetingrequest',
                index=models.Index(fields=['startup', 'status'], name='meeting_request_startup'),
            ),
            migrations.AddIndex(
                model_name='meetingrequest',
                index=models.Index(fields=['corporate', 'status'], name='meeting_request_corporate'),
            ),
            migrations.AddConstraint(
                model_name='meetingrequest',
                constraint=models.UniqueConstraint(condition=models.Q(('status__in', ('proposed', 'pending', 'accepted'))), fields=('event', 'startup', 'corporate'), name='meeting_request_one_live_per_pair', violation_error_message='These two organizations already have a request for this salon.'),
            ),
            migrations.AddConstraint(
                model_name='meetingrequest',
                constraint=models.CheckConstraint(condition=models.Q(('status__in', ['proposed', 'pending', 'accepted', 'declined', 'expired', 'cancelled'])), name='meeting_request_status_valid'),
            ),
            migrations.AddConstraint(
                model_name='meetingrequest',
                constraint=models.CheckConstraint(condition=models.Q(('origin__in', ['proposal', 'startup', 'corporate', 'organizer'])), name='meeting_request_origin_valid'),
            ),
            migrations.AddConstraint(
                model_name='meetingrequest',
                constraint=models.CheckConstraint(condition=models.Q(('startup', models.F('corporate')), _negated=True), name='meeting_request_two_organizations'),
            ),
            migrations.AddConstraint(
                model_name='meetingrequest',
                constraint=models.CheckConstraint(condition=models.Q(models.Q(('recipient__isnull', True), ('requester__isnull', True)), models.Q(('recipient', models.F('corporate')), ('requester', models.F('startup'))), models.Q(('recipient', models.F('startup')), ('requester', models.F('corporate'))), _connector='OR'), name='meeting_request_sides_consistent'),
            ),
            migrations.AddConstraint(
                model_name='meetingrequest',
                constraint=models.CheckConstraint(condition=models.Q(('requester__isnull', False), ('status', 'proposed'), ('origin', 'organizer'), ('status', 'declined'), ('status', 'expired'), ('status', 'cancelled'), _connector='OR'), name='meeting_request_pending_has_requester'),
            ),
            migrations.AddConstraint(
                model_name='meetingrequest',
                constraint=models.CheckConstraint(condition=models.Q(models.Q(('decline_reason__in', ['not_focus_area', 'too_early', 'regulatory', 'already_in_contact', 'no_capacity', 'other']), ('status', 'declined')), models.Q(models.Q(('status', 'declined'), _negated=True), ('decline_reason', '')), _connector='OR'), name='meeting_request_decline_reason'),
            ),
            ],
            database_operations=[],
        ),
    ]
