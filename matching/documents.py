"""Teaser PDFs of technology offers: the one place that decides what upload is accepted, under
which name it is stored and how it is sent back.

- Accepted: a non-empty file of at most ``settings.TEASER_MAX_BYTES`` whose content starts with the
  PDF signature ``%PDF-``. The uploader's file name and declared content type are ignored for this
  (a PDF named ``.txt`` is accepted, an HTML page named ``.pdf`` is not).
- Stored under a generated name, ``teasers/<uuid4 hex>.pdf``; the uploader's name is kept only as
  display text (``display_name``), never as a path.
- Served only by ``teaser_response``, which ``matching.downloads`` calls after
  ``matching.disclosure.Disclosure.teaser`` allowed it,
  as an attachment that browsers neither sniff nor render (never through ``MEDIA_URL``).

The web form, the API serializer and ``matching.services`` all validate with ``validate_teaser``."""

from __future__ import annotations

import os
import re
import unicodedata
import uuid
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

PDF_SIGNATURE = b"%PDF-"
UPLOAD_FOLDER = "teasers"
DISPLAY_NAME_MAX_CHARS = 120
FALLBACK_NAME = "teaser.pdf"
# Enough of the file to recognise what it is instead of a PDF.
SNIFF_BYTES = 512


def teaser_path(instance, filename: str) -> str:
    """``upload_to`` of the teaser field: a fresh random name, whatever the uploader called it."""
    return f"{UPLOAD_FOLDER}/{uuid.uuid4().hex}.pdf"


def _size(count: int) -> str:
    # filesizeformat joins number and unit with a no-break space; error messages use a plain one.
    return str(filesizeformat(count)).replace("\xa0", " ")


def _head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)  # the storage writes the file from its current position
    return head or b""


def _what_it_is(head: bytes) -> str:
    """A short description of a file that is not a PDF, for the error message."""
    signatures = (
        (b"\x89PNG\r\n\x1a\n", _("a PNG image")),
        (b"\xff\xd8\xff", _("a JPEG image")),
        (b"GIF87a", _("a GIF image")),
        (b"GIF89a", _("a GIF image")),
        (b"PK\x03\x04", _("a ZIP archive or an Office document (docx, pptx, xlsx)")),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", _("an older Office document (doc, ppt, xls)")),
    )
    for signature, description in signatures:
        if head.startswith(signature):
            return description
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith(b"<"):
        if text.startswith((b"<?xml", b"<svg")) and b"<html" not in text:
            return _("an XML or SVG document")
        return _("an HTML document")
    try:
        decoded = head.decode("utf-8")
    except UnicodeDecodeError:
        return _("of an unknown type")
    if decoded and all(ch.isprintable() or ch in "\r\n\t" for ch in decoded):
        return _("plain text")
    return _("of an unknown type")


def validate_teaser(upload) -> None:
    """Refuse an upload that is empty, larger than ``TEASER_MAX_BYTES`` or not a PDF by content."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("The file is empty: upload the teaser as a PDF."), code="teaser_empty")
    limit = settings.TEASER_MAX_BYTES
    if size > limit:
        raise ValidationError(
            _("The file is %(size)s; a teaser may be at most %(limit)s.")
            % {"size": _size(size), "limit": _size(limit)},
            code="teaser_too_large",
        )
    head = _head(upload)
    if not head.startswith(PDF_SIGNATURE):
        raise ValidationError(
            _("Only PDF files are accepted: this file is %(found)s.") % {"found": _what_it_is(head)},
            code="teaser_not_pdf",
        )


def display_name(filename: str) -> str:
    """The uploader's file name as safe display text: no folders, no control characters, at most
    ``DISPLAY_NAME_MAX_CHARS`` characters, ending in ``.pdf`` (the stored file is a PDF)."""
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[/\\]", name)[-1]  # some browsers send the client's full path
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split()).strip(" .")
    stem, extension = os.path.splitext(name)
    if len(extension) > 5:  # "v1.2 final": a dot, not an extension
        stem = name
    stem = stem.strip(" .")
    if not stem:
        return FALLBACK_NAME
    return stem[: DISPLAY_NAME_MAX_CHARS - len(".pdf")].rstrip(" .") + ".pdf"


def ascii_name(name: str) -> str:
    """An ASCII-only version of a display name, for clients that ignore ``filename*``."""
    stem = os.path.splitext(name)[0]
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^A-Za-z0-9._ -]+", "_", stem)
    stem = re.sub(r"_{2,}", "_", stem).strip(" ._-")
    return f"{stem}.pdf" if stem else FALLBACK_NAME


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII ``filename`` and the exact name as RFC 6266 ``filename*``."""
    return f"attachment; filename=\"{ascii_name(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def teaser_response(offer) -> FileResponse:
    """The offer's teaser as a download that can never be rendered as a page. The caller has
    checked ``Disclosure.teaser(offer)`` and that the offer has a teaser."""
    try:
        document = offer.teaser.storage.open(offer.teaser.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(offer.teaser_name or FALLBACK_NAME)
    response["X-Content-Type-Options"] = "nosniff"
    # Opened directly, the document gets a unique origin without scripts, forms or plugins.
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
