from django.core.management.base import BaseCommand
from tqdm import tqdm

from matching.match_service import recompute_matches


class Command(BaseCommand):
    help = "Score every (offer, need) pair and store the best ones with their explanations."

    def handle(self, *args, **options):
        bars = []

        def progress(total):
            bars.append(tqdm(total=total, unit="pair", file=self.stderr._out, disable=options["verbosity"] < 1))
            return bars[-1].update

        report = recompute_matches(progress=progress)
        for bar in bars:
            bar.close()
        self.stdout.write(
            f"offers: {report.offers}, needs: {report.needs}, eligible pairs: {report.eligible_pairs}, "
            f"matches stored: {report.stored}"
        )
