import logging

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from matching import embedding_service
from matching.embeddings import get_backend

logger = logging.getLogger(__name__)


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
        work = []
        skipped = 0
        for kind, model in embedding_service.OWNER_MODELS.items():
            every = list(model.objects.order_by("pk").values_list("pk", flat=True))
            ids = every if options["all"] else embedding_service.stale_ids(kind=kind, backend=backend)
            skipped += len(every) - len(ids)
            work += [(kind, ids[start : start + batch_size]) for start in range(0, len(ids), batch_size)]
        total = embedding_service.EmbedResult(unchanged=skipped)
        failed = 0
        with tqdm(
            total=sum(len(ids) for _, ids in work), unit="text", file=self.stderr._out, disable=options["verbosity"] < 1
        ) as progress:
            for kind, ids in work:
                try:
                    total += embedding_service.embed_profiles(kind=kind, ids=ids, backend=backend)
                except Exception:  # noqa: BLE001 — reported per batch and in the exit status
                    logger.exception("Embedding %s batch %s…%s failed", kind, ids[0], ids[-1])
                    failed += len(ids)
                progress.update(len(ids))
        self.stdout.write(f"embedded: {total.embedded}, skipped unchanged: {total.unchanged}, failed: {failed}")
        if failed:
            raise CommandError(f"{failed} profiles could not be embedded; see the log above")
