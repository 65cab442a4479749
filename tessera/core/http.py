"""Responses every interface builds the same way; this module knows Django's HTTP and nothing of the domain."""

from typing import IO

from django.http import FileResponse


def file_download(handle: IO[bytes], *, filename: str, content_type: str = "") -> FileResponse:
    """``handle`` as a download: never rendered inline by the browser, never run as a page of ours."""
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
