import csv
import io
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from matching import ranking


class Command(BaseCommand):
    help = (
        "Rank offers and needs given in a JSON file, with explanations, without the database: "
        '{"offers": [{"id", "title", "description", "stage", "deal_types", "regions", "areas"?}], '
        '"needs": [{"id", "title", "description", "stage_min", "stage_max", "deal_types", "regions", "areas"?}]}. '
        "Invalid input is reported on stderr, every error, with exit status 2."
    )

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, metavar="FILE.json", help="offers and needs to rank")
        parser.add_argument(
            "--top", type=int, default=ranking.DEFAULT_TOP, help="entries per offer and per need (default 10)"
        )
        parser.add_argument("--format", choices=("json", "csv"), default="json")

    def handle(self, *args, input, top, format, **options):
        if top < 1:
            raise CommandError(_("--top must be at least 1"), returncode=2)
        taxonomy = ranking.load_taxonomy()
        try:
            offers, needs = ranking.parse_profiles(
                ranking.read_input(input), area_codes=taxonomy.area_codes, source=input
            )
        except ranking.InputError as exc:
            raise CommandError("\n".join(exc.messages), returncode=2) from None
        backend = ranking.embedding_backend(taxonomy.index)
        rankings = ranking.rank_profiles(offers, needs, index=taxonomy.index, backend=backend, top=top)
        if format == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(ranking.CSV_HEADER)
            writer.writerows(ranking.csv_rows(rankings))
            self.stdout.write(buffer.getvalue(), ending="")
        else:
            self.stdout.write(json.dumps(rankings, ensure_ascii=False, indent=2))
