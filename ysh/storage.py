"""Private document storage.

Documents (homologation uploads, generated PDFs) live in the ``documents`` storage: S3/MinIO when
``S3_BUCKET`` is set (private ACL, short-lived signed URLs), local files under
``PRIVATE_MEDIA_ROOT`` otherwise (never served directly; downloads go through views that check
the caller's organization)."""

import uuid
from pathlib import PurePosixPath

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.utils import timezone
from django.utils.text import get_valid_filename


def documents_storage() -> Storage:
    return storages["documents"]


def document_path(*, organization_id: int, area: str, filename: str) -> str:
    """``<area>/<org>/<yyyy>/<mm>/<uuid>-<safe name>``: unguessable and never colliding."""
    try:
        safe = get_valid_filename(PurePosixPath(filename).name)
    except SuspiciousFileOperation:  # nothing usable left ("..", "", only symbols)
        safe = "file"
    now = timezone.now()
    return f"{area}/{organization_id}/{now:%Y}/{now:%m}/{uuid.uuid4().hex}-{safe[-120:]}"


def document_save(*, path: str, content: bytes) -> str:
    return documents_storage().save(path, ContentFile(content))


def document_delete(*, path: str) -> None:
    documents_storage().delete(path)


def document_url(*, path: str) -> str | None:
    """A time-limited URL for S3 documents; None for local files (serve through a view)."""
    storage = documents_storage()
    # FileSystemStorage falls back to MEDIA_URL when base_url is None, so it is not a signal.
    if not hasattr(storage, "bucket_name"):
        return None
    return storage.url(path)
