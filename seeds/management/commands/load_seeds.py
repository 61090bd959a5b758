from django.core.management.base import BaseCommand, CommandError

from seeds.loader import SeedError, load_seeds


class Command(BaseCommand):
    help = "Load the bilingual medtech taxonomy and the demo organizations, offers, needs, salons and users."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="Load the taxonomy only (for production).")

    def handle(self, *args, no_demo, **options):
        try:
            report = load_seeds(demo=not no_demo)
        except SeedError as exc:
            raise CommandError(f"Seed data is invalid, nothing was loaded: {exc}") from None
        for line in report.summary_lines():
            self.stdout.write(line)
