from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from matching.imports import format_doc


class Command(BaseCommand):
    help = (
        f"Write {format_doc.PATH} from the import column declarations (matching/imports/columns.py); "
        "with --check, only tell whether the file is up to date (exit status 1 when it is not)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Compare, write nothing.")
        parser.add_argument("--output", default=None, help=f"Another file than {format_doc.PATH}.")

    def handle(self, *args, check, output, **options):
        path = Path(output) if output else Path(settings.BASE_DIR) / format_doc.PATH
        text = format_doc.markdown()
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if check:
            if current != text:
                raise CommandError(
                    f"{path} is not what the column declarations make: run python manage.py import_format_doc",
                    returncode=1,
                )
            self.stdout.write(f"{path} is up to date.")
            return
        if current == text:
            self.stdout.write(f"{path} is up to date.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {path}.")
