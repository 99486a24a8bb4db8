"""Import articles from files or a URL into a corpus, with a terminal progress bar.

    manage.py import_articles my-corpus articles.jsonl more.csv op-ed.docx
    manage.py import_articles my-corpus --url https://example.com/op-ed

By default a worker runs each import (as from the web page) and this command
follows it; ``--inline`` runs the import in this process instead (segmentation
is still queued for the workers).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from corpora.models import Corpus
from imports.models import ImportJob
from imports.selectors import import_job_get, import_job_progress
from imports.services import import_file_create, import_job_run_inline, import_url_create

BAR_WIDTH = 30


def progress_bar(state: dict) -> str:
    total = max(state["total"], 1)
    filled = int(BAR_WIDTH * min(state["processed"], total) / total)
    if state["status"] == ImportJob.Status.DONE:
        filled = BAR_WIDTH
    bar = "#" * filled + "-" * (BAR_WIDTH - filled)
    return (
        f"[{bar}] {state['processed']:,}/{state['total']:,} "
        f"imported {state['done']:,} · failed {state['failed']:,} · "
        f"duplicates {state['duplicates']:,}"
    )


class Command(BaseCommand):
    help = "Import .txt/.md/.html/.docx/.jsonl/.csv files or a web page into a corpus."

    def add_arguments(self, parser):
        parser.add_argument("corpus", help="The corpus's slug.")
        parser.add_argument("files", nargs="*", help="Files to import.")
        parser.add_argument("--url", action="append", default=[], help="A web page to import.")
        parser.add_argument("--user", help="Record this user name as who imported.")
        parser.add_argument(
            "--inline", action="store_true", help="Run the import here instead of in a worker."
        )
        parser.add_argument(
            "--no-wait", action="store_true", help="Queue the imports and exit at once."
        )
        parser.add_argument(
            "--interval", type=float, default=0.5, help="Seconds between progress updates."
        )

    def handle(self, *args, corpus, files, url, user, inline, no_wait, interval, **options):
        target = Corpus.objects.filter(slug=corpus).first()
        if target is None:
            raise CommandError(f"No corpus with the slug {corpus!r}.")
        if not files and not url:
            raise CommandError("Name at least one file or --url.")
        who = None
        if user:
            who = get_user_model().objects.filter(username=user).first()
            if who is None:
                raise CommandError(f"No user named {user!r}.")
        jobs = [self._create(target, who, path=path) for path in files]
        jobs += [self._create(target, who, url=address) for address in url]
        failed = 0
        for job in jobs:
            label = job.filename or job.source_url
            if no_wait:
                self.stdout.write(f"{label}: queued as import {job.pk}.")
                continue
            if inline:
                import_job_run_inline(job_id=job.pk)
            state = self._follow(job, label, interval)
            failed += state["status"] == ImportJob.Status.FAILED or state["failed"] > 0
        if failed:
            raise CommandError(f"{failed} import(s) had failures; see the lines above.")

    def _create(self, corpus, user, *, path: str = "", url: str = "") -> ImportJob:
        try:
            if url:
                return import_url_create(corpus=corpus, user=user, url=url)
            file = Path(path)
            if not file.is_file():
                raise CommandError(f"{path}: no such file.")
            return import_file_create(
                corpus=corpus, user=user, filename=file.name, data=file.read_bytes()
            )
        except ValidationError as exc:
            raise CommandError(f"{path or url}: {' '.join(exc.messages)}") from None

    def _follow(self, job: ImportJob, label: str, interval: float) -> dict:
        tty = sys.stdout.isatty() and self.stdout._out is sys.stdout
        warned = False
        last = ""
        while True:
            current = import_job_get(corpus=job.corpus, job_id=job.pk)
            if current is None:
                raise CommandError(f"{label}: the import job was deleted.")
            state = import_job_progress(job=current, failures_limit=20)
            if state["worker_missing"] and not warned:
                self.stderr.write(state["message"])
                warned = True
            line = f"{label}: {progress_bar(state)}"
            if line != last:
                # On a terminal the bar redraws in place; in a log, one line per change.
                self.stdout.write(("\r" + line) if tty else line, ending="" if tty else "\n")
                self.stdout.flush()
                last = line
            if state["finished"]:
                break
            time.sleep(interval)
        if tty:
            self.stdout.write("")
        self._summary(state)
        return state

    def _summary(self, state: dict) -> None:
        if state["status"] == ImportJob.Status.FAILED:
            self.stderr.write(f"  failed: {state['error']}")
            return
        for notice in state["notices"]:
            self.stdout.write(f"  note: {notice}")
        for failure in state["failures"]:
            where = f"line {failure['line']}" if failure["line"] else "the document"
            self.stdout.write(f"  {where}: {failure['reason']}")
        more = state["failures_total"] - len(state["failures"])
        if more > 0:
            self.stdout.write(f"  … and {more:,} more; see the import page.")
        self.stdout.write(self.style.SUCCESS(f"  {state['message']}"))
