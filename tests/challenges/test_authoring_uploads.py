"""Challenge documents are judged by their bytes: crafted files of each accepted kind pass, disguised and
oversized ones are refused with a message for the person uploading them."""

import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from challenges.uploads import DEFAULT_MAX_BYTES, check_document, max_document_bytes

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8\x00" + b"\x00" * 40 + b"PE\x00\x00"
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
WORD_MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def content_types_xml(main: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main}"/>'
        "</Types>"
    )


def zip_bytes(members: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = zip_bytes({"[Content_Types].xml": content_types_xml(WORD_MAIN), "word/document.xml": "<w:document/>"})
XLSX = zip_bytes({"[Content_Types].xml": content_types_xml(EXCEL_MAIN), "xl/workbook.xml": "<workbook/>"})
DOCM = zip_bytes(
    {"[Content_Types].xml": content_types_xml(WORD_MACRO_MAIN), "word/vbaProject.bin": b"\x00\x01"}
)
ODT = zip_bytes({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<office/>"})
ODS = zip_bytes({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<office/>"})
PLAIN_ZIP = zip_bytes({"readme.txt": "hello"})


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("report.pdf", PDF, "application/pdf"),
        ("map.png", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.JPEG", JPEG, "image/jpeg"),
        ("brief.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("data.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("brief.odt", ODT, "application/vnd.oasis.opendocument.text"),
        ("notes.txt", "Ærlig talt: 4 000 innbyggere.\r\n".encode(), "text/plain"),
        ("figures.csv", b"\xef\xbb\xbfyear,residents\n2024,4000\n", "text/csv"),
    ],
)
def test_check_document_accepts_each_kind_by_its_content(name, content, expected):
    checked = check_document(upload(name, content, content_type="application/x-whatever"))

    assert checked.content_type == expected
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert checked.original_name == name


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.pdf", EXE),
        ("macro.docx", DOCM),
        ("sheet.odt", ODS),
        ("archive.docx", PLAIN_ZIP),
        ("broken.docx", b"PK\x03\x04 this is not really a zip"),
        ("latin1.txt", "Bærum".encode("latin-1")),
        ("binary.txt", b"text with a NUL \x00 byte"),
        ("page.svg", b"\x00\x00<svg onload=alert(1)>"),
    ],
)
def test_check_document_refuses_what_it_does_not_accept(name, content):
    with pytest.raises(ValidationError) as error:
        check_document(upload(name, content, content_type="application/pdf"))

    assert error.value.code == "type"
    assert "This kind of file is not accepted" in error.value.messages[0]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.docx", PDF),
        ("script.pdf", b"#!/bin/sh\nrm -rf /\n"),
        ("photo.png", JPEG),
        ("brief.pdf", DOCX),
        ("noextension", PDF),
        ("report.pdf.exe", PDF),
    ],
)
def test_check_document_refuses_a_file_named_as_something_it_is_not(name, content):
    with pytest.raises(ValidationError) as error:
        check_document(upload(name, content))

    assert error.value.code == "mismatch"
    assert "does not match its name" in error.value.messages[0]


def test_check_document_refuses_a_file_over_the_limit(settings):
    settings.CHALLENGE_DOCUMENT_MAX_BYTES = 1024

    with pytest.raises(ValidationError) as error:
        check_document(upload("report.pdf", PDF + b" " * 1024))

    assert error.value.code == "too_large"
    assert error.value.messages[0] == "The file is 1.1\xa0KB; the limit is 1.0\xa0KB."


def test_check_document_accepts_a_file_at_the_limit(settings):
    settings.CHALLENGE_DOCUMENT_MAX_BYTES = len(PDF)

    assert check_document(upload("report.pdf", PDF)).size == len(PDF)


def test_check_document_refuses_an_empty_file():
    with pytest.raises(ValidationError) as error:
        check_document(upload("empty.txt", b""))

    assert error.value.code == "empty"


def test_max_document_bytes_defaults_to_ten_megabytes(settings):
    del settings.CHALLENGE_DOCUMENT_MAX_BYTES

    assert max_document_bytes() == DEFAULT_MAX_BYTES == 10 * 1024 * 1024


def test_check_document_keeps_only_the_base_name():
    checked = check_document(upload("../../etc/report.pdf", PDF))

    assert checked.original_name == "report.pdf"


def test_check_document_leaves_the_file_readable_from_the_start():
    file = upload("report.pdf", PDF)

    check_document(file)

    assert file.read() == PDF
