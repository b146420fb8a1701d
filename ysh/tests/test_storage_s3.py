"""ysh.storage against a real S3 wire protocol (moto's server on loopback) and on local files."""

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from botocore.exceptions import ClientError
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage
from django.test import override_settings
from storages.backends.s3 import S3Storage

from ysh.storage import document_delete, document_path, document_save, document_url, documents_storage
from ysh.tests.conftest import S3_BUCKET, s3_documents_storage

PDF = b"%PDF-1.7\n% memorial descritivo\n%%EOF\n"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


@pytest.fixture
def s3_documents(settings, s3_endpoint, s3_bucket):
    settings.STORAGES = {**settings.STORAGES, "documents": s3_documents_storage(s3_endpoint)}
    return s3_bucket


def test_documents_storage_follows_the_storages_setting(s3_endpoint):
    # given the local documents storage of the test settings
    before = documents_storage()

    # when STORAGES changes, and changes back
    with override_settings(STORAGES={"documents": s3_documents_storage(s3_endpoint)}):
        during = documents_storage()
    after = documents_storage()

    # then Django's storages handler was reset each time (setting_changed on STORAGES)
    assert isinstance(before, FileSystemStorage)
    assert isinstance(during, S3Storage)
    assert during.endpoint_url == s3_endpoint
    assert isinstance(after, FileSystemStorage)


def test_s3_document_is_private_signed_and_deletable(s3_documents):
    # given a document path for an organization
    path = document_path(organization_id=42, area="homologation", filename="memorial descritivo.pdf")

    # when it is saved
    saved = document_save(path=path, content=PDF)

    # then the object is in the bucket, readable only by its owner
    assert saved == path
    assert s3_documents.get_object(Bucket=S3_BUCKET, Key=path)["Body"].read() == PDF
    grants = s3_documents.get_object_acl(Bucket=S3_BUCKET, Key=path)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert {grant["Grantee"].get("URI") for grant in grants}.isdisjoint({ALL_USERS, AUTHENTICATED_USERS})

    # and the signed URL is SigV4, short-lived and serves the bytes
    url = document_url(path=path)
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["600"]
    signed = httpx.get(url, timeout=5)
    assert signed.status_code == 200
    assert signed.content == PDF

    # and the same URL without its signature is refused
    unsigned = httpx.get(url.split("?", 1)[0], timeout=5)
    assert unsigned.status_code == 403

    # when it is deleted
    document_delete(path=path)

    # then it is gone from the bucket
    with pytest.raises(ClientError) as missing:
        s3_documents.head_object(Bucket=S3_BUCKET, Key=path)
    assert missing.value.response["Error"]["Code"] == "404"


def test_s3_never_overwrites_an_existing_document(s3_documents):
    # given a document already stored at a path
    path = document_path(organization_id=7, area="orders", filename="nota-fiscal.pdf")
    document_save(path=path, content=b"first")

    # when something else is saved at the same path
    second = document_save(path=path, content=b"second")

    # then both versions are kept under distinct keys
    assert second != path
    assert s3_documents.get_object(Bucket=S3_BUCKET, Key=path)["Body"].read() == b"first"
    assert s3_documents.get_object(Bucket=S3_BUCKET, Key=second)["Body"].read() == b"second"


@pytest.mark.django_db
def test_ready_reports_s3_storage_ok(client, s3_documents):
    # given documents in the S3 bucket
    # when
    response = client.get("/health/ready/")

    # then the storage probe reached the bucket
    assert response.status_code == 200, response.json()
    storage = response.json()["checks"]["storage"]
    assert (storage["status"], storage["backend"]) == ("ok", "s3")


@pytest.mark.parametrize(
    ("filename", "expected_name"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "....windowswin.ini"),
        ("memorial descritivo (v2).pdf", "memorial_descritivo_v2.pdf"),
        ("Diagrama unifilar — Conexão.pdf", "Diagrama_unifilar__Conexão.pdf"),
        ("..", "file"),
        ("", "file"),
        ("★★★", "file"),
    ],
)
def test_document_path_keeps_a_safe_name_inside_its_folder(filename, expected_name):
    # when
    path = document_path(organization_id=3, area="homologation", filename=filename)

    # then the path is <area>/<org>/<yyyy>/<mm>/<uuid>-<safe name>, with no way out of it
    area, org, year, month, leaf = path.split("/")
    assert (area, org) == ("homologation", "3")
    assert len(year) == 4 and len(month) == 2
    unique, name = leaf.split("-", 1)
    assert len(unique) == 32
    assert name == expected_name


def test_document_path_never_collides_and_bounds_long_names():
    # given the same upload name many times, and a very long one
    paths = {document_path(organization_id=1, area="orders", filename="proposta.pdf") for _ in range(200)}
    long_path = document_path(organization_id=1, area="orders", filename="a" * 500 + ".pdf")

    # then
    assert len(paths) == 200
    assert long_path.endswith(".pdf")
    assert len(long_path.rsplit("/", 1)[1]) == 32 + 1 + 120


def test_local_document_round_trip(settings, tmp_path):
    # given documents on local files (no bucket configured)
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }
    path = document_path(organization_id=5, area="homologation", filename="art.pdf")

    # when
    saved = document_save(path=path, content=PDF)

    # then the file is under the private root and has no public URL (served through a view)
    assert (tmp_path / saved).read_bytes() == PDF
    assert document_url(path=saved) is None

    # when it is deleted
    document_delete(path=saved)

    # then
    assert not (tmp_path / saved).exists()


def test_local_storage_refuses_a_path_outside_its_root(settings, tmp_path):
    # given documents on local files
    root = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }

    # when a caller passes a raw path that climbs out of it
    with pytest.raises(SuspiciousFileOperation):
        document_save(path="../escaped.txt", content=b"nope")

    # then nothing was written outside
    assert not (tmp_path / "escaped.txt").exists()
