from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from matching import embedding_service
from matching.embeddings import get_backend


class Command(BaseCommand):
    help = "Embed technology offers and partnering needs with the configured backend."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--missing", action="store_true", help="Only profiles never embedded or changed (default).")
        which.add_argument("--all", action="store_true", help="Check every profile; unchanged text is still skipped.")
        parser.add_argument("--batch-size", type=int, default=None, help="Texts per model call (EMBEDDING_BATCH_SIZE).")

    def handle(self, *args, batch_size, **options):
        from django.conf import settings

        batch_size = batch_size or settings.EMBEDDING_BATCH_SIZE
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        backend = get_backend()
        self.stdout.write(f"Embedding with {backend.name} ({backend.model_name}, {backend.dimension} dimensions)")
        progress = tqdm(total=0, unit="text", file=self.stderr._out, disable=options["verbosity"] < 1)

        def advance(done: int, total: int) -> None:
            progress.total = total
            progress.update(done - progress.n)

        with progress:
            total, failed = embedding_service.embed_everything(
                every=options["all"], batch_size=batch_size, backend=backend, on_progress=advance
            )
        self.stdout.write(f"embedded: {total.embedded}, skipped unchanged: {total.unchanged}, failed: {failed}")
        if failed:
            raise CommandError(f"{failed} profiles could not be embedded; see the log above")
