"""Where release files live: Django's storage ``STORAGES["releases"]``.

The file system under ``ANNOTATOR_DATA_DIR/releases`` by default; S3-compatible
object storage through django-storages when ``RELEASES_STORAGE`` says so
(README, configuration). Everything goes through the storage API, so the web
tier keeps no file of its own.
"""

from __future__ import annotations

from django.core.files.storage import Storage, storages


def release_storage() -> Storage:
    return storages["releases"]
