"""What a challenge document really is, judged by its content, never by its name or the browser's word.

A file is accepted only when its bytes are one of the kinds we serve (PDF, PNG, JPEG, DOCX, XLSX, ODT, plain
text, CSV) *and* its name ends the way that kind's names end: an .exe renamed .pdf fails the first test, a
PDF renamed .docx the second.
"""

import codecs
import hashlib
import re
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

# content type → the name endings a file of that type may have
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
    "text/plain": (".txt",),
    "text/csv": (".csv",),
}

ALLOWED_DESCRIPTION = gettext_lazy(
    "PDF, PNG, JPEG, Word (.docx), Excel (.xlsx), OpenDocument text (.odt), plain text or CSV"
)

_OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
}
# Read no more than this of a zip member: [Content_Types].xml is a few kilobytes; a zip bomb is not.
_ZIP_MEMBER_LIMIT = 256 * 1024
_CHUNK = 64 * 1024
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class CheckedDocument:
    content_type: str
    size: int
    sha256: str
    original_name: str


def max_document_bytes() -> int:
    return getattr(settings, "CHALLENGE_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def check_document(file: File) -> CheckedDocument:
    """The document's type (from its bytes), size and SHA-256; ValidationError with a message for the
    person uploading it if it is too large, of a kind we do not accept, or named as something it is not."""
    limit = max_document_bytes()
    size = file.size
    if size is None or size > limit:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size or 0), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    name = PurePath(file.name or "").name
    content_type = sniff_content_type(file, name=name)
    if content_type is None:
        raise ValidationError(
            _("This kind of file is not accepted. Upload %(allowed)s.") % {"allowed": ALLOWED_DESCRIPTION},
            code="type",
        )
    extension = PurePath(name.lower()).suffix
    if extension not in EXTENSIONS[content_type]:
        raise ValidationError(
            _("The file's content does not match its name: it is not a %(extension)s file.")
            % {"extension": extension or _("(no extension)")},
            code="mismatch",
        )
    return CheckedDocument(
        content_type=content_type, size=size, sha256=sha256_of(file), original_name=name[-255:]
    )


def sha256_of(file: File) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks(_CHUNK):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def sniff_content_type(file: File, *, name: str = "") -> str | None:
    """The content type the bytes show, or None for anything we do not accept."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return "application/pdf"
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return "image/png"
        if head.startswith(b"\xff\xd8\xff"):
            return "image/jpeg"
        if head.startswith(b"PK\x03\x04"):
            return _zip_document_type(file)
        if _is_text(file):
            return "text/csv" if name.lower().endswith(".csv") else "text/plain"
        return None
    finally:
        file.seek(0)


def _zip_document_type(file: File) -> str | None:
    """DOCX and XLSX name their main part in [Content_Types].xml; ODT names its type in the first member,
    "mimetype". Anything else in a zip (including macro-enabled Office files) is refused."""
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = _read_member(archive, "mimetype").strip()
                if mimetype == b"application/vnd.oasis.opendocument.text":
                    return "application/vnd.oasis.opendocument.text"
                return None
            if "[Content_Types].xml" in names:
                types = _read_member(archive, "[Content_Types].xml")
                found = {
                    content_type
                    for part, content_type in _OOXML_MAIN_PARTS.items()
                    if f'ContentType="{part}"'.encode() in types
                }
                if len(found) == 1 and b"vbaProject" not in types:
                    return found.pop()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, KeyError):
        return None
    return None


def _read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > _ZIP_MEMBER_LIMIT:
        return b""
    with archive.open(info) as member:
        return member.read(_ZIP_MEMBER_LIMIT)


def _is_text(file: File) -> bool:
    """UTF-8 (with or without a byte-order mark) and no control characters but tab, newlines and form feed:
    executables and other binaries always contain NUL or other control bytes."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    file.seek(0)
    try:
        for chunk in file.chunks(_CHUNK):
            if _CONTROL_CHARACTERS.search(decoder.decode(chunk)):
                return False
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def stored_document(model, *, file: File, **fields):
    """Check `file` by its content (ValidationError as check_document) and store it under a generated name,
    as a new, unsaved `model` row (a challenge's or a proposal's document) with its name, type, size and
    SHA-256. The caller saves the row inside `removed_if_not_saved`."""
    checked = check_document(file)
    document = model(
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        **fields,
    )
    document.file.save(checked.original_name, file, save=False)
    return document


@contextmanager
def removed_if_not_saved(document):
    """No row, no file: if the block that saves `document` fails (refused, or an error), its stored file is
    deleted, so nothing is left behind in the storage."""
    try:
        yield document
    except BaseException:
        document.file.storage.delete(document.file.name)
        raise
