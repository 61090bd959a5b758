from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from matching import imports


class Command(BaseCommand):
    help = (
        "Import organizations and technology offers from an .xlsx or .csv file, all or nothing "
        "(headers and values: docs/import-format.md). Prints the created/updated counts, or every error "
        "by sheet, row and column on stderr with exit status 2."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="the .xlsx or .csv file")
        parser.add_argument("--dry-run", action="store_true", help="check everything, save nothing")
        parser.add_argument(
            "--language", choices=[code for code, _name in settings.LANGUAGES], default=settings.LANGUAGE_CODE
        )

    def handle(self, *args, file, dry_run, language, **options):
        with translation.override(language):
            path = Path(file)
            try:
                with path.open("rb") as handle:
                    # One byte more than the limit is enough to tell that the file is too large.
                    data = handle.read(settings.IMPORT_MAX_BYTES + 1)
            except OSError as error:
                raise CommandError(
                    _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}, returncode=2
                ) from None
            result = imports.import_profiles(data, dry_run=dry_run)
            for note in result.notes:
                self.stdout.write(note)
            if not result.ok:
                lines = [
                    _("%(count)d error(s); nothing was saved.") % {"count": len(result.errors)},
                    *(str(error) for error in result.errors),
                ]
                raise CommandError("\n".join(lines), returncode=2)
            for kind, label in ((imports.ORGANIZATION, _("Organizations")), (imports.OFFER, _("Technology offers"))):
                self.stdout.write(
                    _("%(label)s: created %(created)d, updated %(updated)d, unchanged %(unchanged)d")
                    % {"label": label, **result.counts()[kind]}
                )
            if dry_run:
                self.stdout.write(_("Dry run: the file is valid and nothing was saved."))
