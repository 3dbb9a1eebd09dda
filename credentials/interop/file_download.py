"""A file served for download with its validators, answering conditional and Range requests.

Django's FileResponse sends a whole file; a client resuming a large download (the daily
export is hundreds of megabytes at a million entries) asks for the rest with ``Range``.
One range is served as 206; several, or one behind an ``If-Range`` that no longer matches,
get the whole file (RFC 9110 lets a server ignore Range); one past the end is 416.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import BinaryIO

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_UNSATISFIABLE = (-1, -1)


class _Slice:
    """`length` bytes of an open file from its current position, read as a file is."""

    def __init__(self, handle: BinaryIO, length: int) -> None:
        self.handle = handle
        self.left = length

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        data = self.handle.read(size)
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.handle.close()


def _requested_range(
    request: HttpRequest, size: int, *, etag: str, modified: datetime.datetime
) -> tuple[int, int] | None:
    """The one byte range asked for, as (first, last) inclusive; None for the whole file."""
    header = request.headers.get("Range", "")
    match = _RANGE.match(header.replace(" ", ""))
    if not match or match.groups() == ("", ""):
        return None
    if_range = request.headers.get("If-Range")
    if if_range:
        still_current = (
            if_range == etag
            if if_range.startswith('"')
            else parse_http_date_safe(if_range) == int(modified.timestamp())
        )
        if not still_current:
            return None
    first, last = match.groups()
    if first == "":
        # The last N bytes.
        length = int(last)
        if length == 0:
            return _UNSATISFIABLE
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return _UNSATISFIABLE
    return start, end


def file_download(
    request: HttpRequest,
    path: Path,
    *,
    content_type: str,
    etag: str,
    modified: datetime.datetime,
) -> HttpResponseBase:
    """The file at `path` as an attachment named as the file, or the part of it asked for;
    304 or 412 where the request's validators say so."""
    last_modified = int(modified.timestamp())
    conditional = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if conditional is not None:
        return conditional
    size = path.stat().st_size
    wanted = _requested_range(request, size, etag=etag, modified=modified)
    if wanted == _UNSATISFIABLE:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        return refused
    handle = path.open("rb")
    if wanted is None:
        response = FileResponse(
            handle, as_attachment=True, filename=path.name, content_type=content_type
        )
    else:
        start, end = wanted
        handle.seek(start)
        response = FileResponse(
            _Slice(handle, end - start + 1),
            as_attachment=True,
            filename=path.name,
            content_type=content_type,
            status=206,
        )
        response["Content-Length"] = str(end - start + 1)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    return response
