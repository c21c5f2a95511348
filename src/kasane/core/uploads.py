"""Uploaded files: refused unless their type and size are what the page expects.

Every upload form cleans its file with :func:`check_upload`. The limit is
``KASANE_UPLOAD_MAX_BYTES`` (10 MB unless set); the reverse proxy in front of Kasane should
refuse bodies a little larger than that before they reach Django at all.

The type is checked twice: by the file name's suffix, and by the first bytes of the file,
so a spreadsheet renamed to ``.csv`` or an executable renamed to ``.json`` is refused with
a clear message instead of failing deep inside a parser.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from kasane.core.error_codes import ErrorCode

# Signatures of binary formats that no text upload (CSV, JSON) starts with.
_BINARY_MAGIC = (
    b"PK\x03\x04",  # ZIP, and so .xlsx / .docx
    b"\xd0\xcf\x11\xe0",  # old Office (.xls)
    b"%PDF",
    b"MZ",  # Windows executable
    b"\x7fELF",
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
)


def looks_like_text(head: bytes) -> bool:
    """True for bytes that may start a text file: no NUL byte, no known binary signature."""
    return b"\x00" not in head and not head.startswith(_BINARY_MAGIC)


def looks_like_zip(head: bytes) -> bool:
    return head.startswith((b"PK\x03\x04", b"PK\x05\x06"))


# What the first bytes of a file must look like, per suffix.
CONTENT_CHECKS: Mapping[str, Callable[[bytes], bool]] = {
    ".csv": looks_like_text,
    ".txt": looks_like_text,
    ".json": looks_like_text,
    ".zip": looks_like_zip,
}


def max_upload_bytes() -> int:
    return int(getattr(settings, "KASANE_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def check_upload(upload: UploadedFile, *, suffixes: tuple[str, ...]) -> UploadedFile:
    """Refuse a file that is too big, empty, or not of one of ``suffixes`` (".csv"...)."""
    limit = max_upload_bytes()
    size = upload.size or 0
    if size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s). The limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code=ErrorCode.TOO_LARGE,
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code=ErrorCode.EMPTY)
    name = (upload.name or "").lower()
    suffix = next((s for s in suffixes if name.endswith(s)), None)
    if suffix is None:
        raise ValidationError(
            _("This kind of file cannot be imported here. Choose a file ending in %(suffixes)s.")
            % {"suffixes": " / ".join(suffixes)},
            code=ErrorCode.WRONG_TYPE,
        )
    upload.seek(0)
    head = upload.read(512)
    upload.seek(0)
    check = CONTENT_CHECKS.get(suffix)
    if check is not None and not check(head):
        raise ValidationError(
            _("The file's content is not a %(suffix)s file. Was another file renamed?")
            % {"suffix": suffix},
            code=ErrorCode.WRONG_CONTENT,
        )
    return upload
