"""Object storage (S3-compatible) behind Django's storage API, and how a stored file leaves Tessera.

Tessera keeps its files on the local disk unless ``TESSERA_S3_BUCKET`` is set; then ``S3Storage`` below is the
default storage (settings.py). Everything else reads and writes through the storage API, so the upload, the
inbound mail, the backup, the restore and the sweep work the same on both.

The errors of the S3 client become the errors of a file system: a missing object is a ``FileNotFoundError``,
an object store that cannot be reached (or answers with an error) is ``StorageUnavailable``, an ``OSError``.
The code that already copes with a full disk copes with it; a page that meets it answers 503
(``StorageUnavailableMiddleware``), never 500.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

#: The S3 error codes that mean "no such object": the file is gone, not the storage.
MISSING_CODES = {"NoSuchKey", "404", "NotFound"}


class StorageUnavailable(OSError):
    """The object store cannot be reached, or refused the request: nothing was read or written."""


@contextmanager
def s3_errors(name: str = "") -> Iterator[None]:
    """Turn the S3 client's errors into the file system's within the block."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        if code in MISSING_CODES:
            raise FileNotFoundError(name) from error
        raise StorageUnavailable(f"The object store refused {name or 'the request'}: {code}") from error
    except BotoCoreError as error:
        raise StorageUnavailable(f"The object store cannot be reached: {error}") from error


@cache
def _s3_storage_class() -> type[Storage]:
    from storages.backends.s3 import S3Storage as BaseS3Storage
    from storages.utils import clean_name

    class S3Storage(BaseS3Storage):
        """django-storages' S3 storage, its errors those of a file system (see the module's docstring)."""

        def _open(self, name: str, mode: str = "rb") -> Any:
            with s3_errors(name):
                handle = super()._open(name, mode)
                if "r" in mode:
                    _ = handle.size  # asks the store now (HEAD): a missing file fails here, not while streaming
                return handle

        def _save(self, name: str, content: Any) -> str:
            with s3_errors(name):
                return super()._save(name, content)

        def delete(self, name: str) -> None:
            with s3_errors(name):
                super().delete(name)

        def exists(self, name: str) -> bool:
            with s3_errors(name):
                return super().exists(name)

        def listdir(self, name: str) -> tuple[list[str], list[str]]:
            with s3_errors(name):
                return super().listdir(name)

        def size(self, name: str) -> int:
            with s3_errors(name):
                return super().size(name)

        def get_modified_time(self, name: str) -> Any:
            with s3_errors(name):
                return super().get_modified_time(name)

        def open_stream(self, name: str) -> tuple[IO[bytes], int]:
            """The object's body as the store sends it, read as it goes (no copy on the web node's disk)."""
            with s3_errors(name):
                key = self._normalize_name(clean_name(name))
                answer = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=key)
            return answer["Body"], int(answer["ContentLength"])

        def presigned_url(self, name: str, *, filename: str, content_type: str) -> str:
            """A link valid for ``TESSERA_S3_PRESIGNED_SECONDS``, the download's name and type signed into it."""
            disposition = content_disposition(filename)
            return self.url(name, parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": content_type or "application/octet-stream",
            }, expire=settings.TESSERA_S3_PRESIGNED_SECONDS)

        def check(self, timeout: float | None = None) -> None:
            """Raise ``StorageUnavailable`` unless the bucket answers (readiness).

            With ``timeout``, one try whose connection and answer each wait at most that long: a store that
            drops packets fails the probe in seconds, not after the requests' longer timeouts and retries.
            """
            client = self._probe_client(timeout) if timeout else self.connection.meta.client
            with s3_errors(self.bucket_name):
                client.head_bucket(Bucket=self.bucket_name)

        def _probe_client(self, timeout: float) -> Any:
            clients = self.__dict__.setdefault("_probe_clients", {})
            if timeout not in clients:  # a client is thread-safe and costly to make: one per storage and timeout
                from botocore.config import Config

                config = self.client_config.merge(Config(
                    connect_timeout=timeout, read_timeout=timeout, retries={"total_max_attempts": 1},
                ))
                clients[timeout] = self._create_session().client(
                    "s3", region_name=self.region_name, use_ssl=self.use_ssl, endpoint_url=self.endpoint_url,
                    config=config, verify=self.verify,
                )
            return clients[timeout]

    return S3Storage


def content_disposition(filename: str) -> str:
    from django.utils.http import content_disposition_header

    return content_disposition_header(as_attachment=True, filename=filename) or "attachment"


def __getattr__(name: str) -> Any:
    # The S3 class is built on first use, so the embedded default never imports boto3.
    if name == "S3Storage":
        return _s3_storage_class()
    raise AttributeError(name)


def is_object_storage(storage: Storage) -> bool:
    return hasattr(storage, "presigned_url")


def storage_check(storage: Storage = default_storage, *, timeout: float | None = None) -> None:
    """Raise ``StorageUnavailable`` (an OSError) unless the storage can be used now.

    ``timeout`` bounds each network wait of an object store's probe (a local folder has none).
    """
    check = getattr(storage, "check", None)
    if check is not None:
        check(timeout=timeout)
        return
    location = getattr(storage, "location", None)
    if location is not None:
        import os

        os.makedirs(location, exist_ok=True)  # as the storage does at its first file
        if not os.access(location, os.W_OK):
            raise StorageUnavailable("The media folder is not writable.")


class StorageUnavailableMiddleware:
    """A page that needed the storage while it was down answers 503 with a page that says so, not 500."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, StorageUnavailable):
            return None
        logger.error("Storage unavailable: %s", exception)
        response = HttpResponse(render_to_string("503.html", {"request_id": getattr(request, "request_id", "")},
                                                 request=None), status=503)
        response["Retry-After"] = "60"
        return response
