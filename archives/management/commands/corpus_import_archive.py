"""Restore a corpus from an archive written by ``corpus_export_archive``.

    manage.py corpus_import_archive op-eds-2026.zip
    manage.py corpus_import_archive op-eds-2026.zip --slug op-eds-copy --create-missing-users

All or nothing, in one transaction; refuses a slug that exists, a damaged,
foreign or newer archive, and usernames this instance lacks (unless asked to
create them, inactive and without a usable password).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from archives.format import ArchiveError
from archives.management.progress import ProgressBar
from archives.services import corpus_archive_import


class Command(BaseCommand):
    help = "Restore a corpus from an archive file as a new corpus."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The archive (.zip) to restore.")
        parser.add_argument("--slug", help="Restore under this slug instead of the archive's.")
        parser.add_argument(
            "--create-missing-users",
            action="store_true",
            help="Create users the archive names and this instance lacks (inactive, no password).",
        )

    def handle(self, *args, file, slug, create_missing_users, verbosity, **options):
        bar = ProgressBar(self.stderr, enabled=verbosity > 0 and self.stderr.isatty())
        try:
            restored = corpus_archive_import(
                path=file, slug=slug, create_missing_users=create_missing_users, progress=bar
            )
        except ArchiveError as exc:
            raise CommandError(str(exc)) from None
        counts = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in restored.counts.items())
        created = restored.users_created
        users = (
            f"; created {len(created)} inactive user(s): {', '.join(created)}" if created else ""
        )
        self.stdout.write(f"Restored corpus {restored.corpus.slug!r} from {file}: {counts}{users}.")
