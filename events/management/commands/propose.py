from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from events.models import Event
from events.proposal_service import meeting_proposals_create


class Command(BaseCommand):
    help = (
        "Propose the 1:1 meetings of a salon (min-cost flow over the match scores) and print coverage and total score."
    )

    def add_arguments(self, parser):
        parser.add_argument("--event", help="salon id or slug")
        parser.add_argument("--open", action="store_true", help="every salon whose registration is open")

    def handle(self, *args, **options):
        if options["open"]:
            events = list(Event.objects.filter(status__in=("open", "matching")).order_by("date"))
        elif options["event"]:
            key = options["event"]
            lookup = Q(slug=key) | (Q(pk=int(key)) if key.isdigit() else Q())
            events = list(Event.objects.filter(lookup))
            if not events:
                raise CommandError(f"No salon with id or slug {key!r}.", returncode=2)
        else:
            raise CommandError("Give --event ID (or slug) or --open.", returncode=2)
        for event in events:
            report = meeting_proposals_create(event=event)
            self.stdout.write(f"{event.slug}: {report.summary()}")
