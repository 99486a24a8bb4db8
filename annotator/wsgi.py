"""The WSGI application gunicorn serves (docker-compose.yml, the Dockerfile, ``run.py``).

Every view is imported here, before the first request, and then what the
process holds after start-up is frozen out of Python's cyclic garbage
collector (``gc.freeze``): some 120,000 long-lived objects (Django, DRF,
the URL patterns, the apps' modules) that a full collection walked each
time, 70-80 ms in which the thread holding the interpreter answered nothing.
Such collections come every few hundred requests, so they made the slowest
percent of every endpoint (bench/README.md, "Garbage collection"). Objects
created later are collected as before.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
application = get_wsgi_application()


def _freeze_start_up() -> None:
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every view module)
    gc.collect()
    gc.freeze()


_freeze_start_up()
