from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from events.models import Event
from events.schedule_service import event_schedule


class Command(BaseCommand):
    help = (
        "Place the accepted meetings of a salon into slots and tables (König colouring or CP-SAT), moving "
        "already placed meetings as little as possible, and print placed/requested, slots used, Δ, moved and "
        "every unplaced meeting with its reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("--event", required=True, help="salon id or slug")
        parser.add_argument(
            "--time-limit",
            type=float,
            default=5.0,
            help="CP-SAT budget in deterministic time units, about a second of one core each (default 5)",
        )
        parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same schedule)")

    def handle(self, *args, **options):
        key = options["event"]
        event = Event.objects.filter(Q(slug=key) | (Q(pk=int(key)) if key.isdigit() else Q())).first()
        if event is None:
            raise CommandError(f"No salon with id or slug {key!r}.", returncode=2)
        if options["time_limit"] < 0:
            raise CommandError("--time-limit must be zero or more seconds.", returncode=2)

        def progress(message: str) -> None:
            self.stdout.write(f"  … {message}")

        try:
            report = event_schedule(
                event=event, time_limit=options["time_limit"], seed=options["seed"], progress=progress
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=2) from error
        self.stdout.write(f"{event.slug}: {report.summary()}")
        for meeting in report.unplaced:
            self.stdout.write(
                f"  unplaced: {meeting.startup} ↔ {meeting.corporate}: {meeting.get_unplaced_reason_display()}"
            )
