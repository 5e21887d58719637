"""Uploads, end to end: a body that is too large is refused with 413 before it is read; a file is judged
by its bytes, not its name; it is stored under a generated name; it is served only through views that
check who is asking, as an attachment the browser must not sniff; MEDIA_URL answers nothing."""

import io
import zipfile

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from challenges.models import ChallengeDocument
from portal.uploads_limit import (
    DEFAULT_MAX_REQUEST_BODY_BYTES,
    RequestBodyLimitMiddleware,
    max_request_body_bytes,
)
from suppliers.models import ProposalDocument
from tests.factories.accounts import MembershipFactory, SupplierFactory
from tests.factories.challenges import ChallengeDocumentFactory, ChallengeFactory
from tests.factories.suppliers import ProposalDocumentFactory, ProposalFactory

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8\x00" + b"\x00" * 40 + b"PE\x00\x00"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 40
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# Files that are not what their names say, or are two things at once.
DISGUISED = [
    pytest.param("invoice.pdf", EXE, id="windows-exe-renamed-pdf"),
    pytest.param("invoice.pdf", ELF, id="elf-renamed-pdf"),
    pytest.param("photo.png", HTML, id="html-renamed-png"),
    pytest.param("photo.png", SVG, id="svg-renamed-png"),
    pytest.param("photo.jpg", PDF, id="pdf-renamed-jpg"),
    pytest.param("page.html", HTML, id="html"),
    pytest.param("drawing.svg", SVG, id="svg"),
    pytest.param("report.pdf.html", PDF + HTML, id="pdf-html-polyglot-named-html"),
    pytest.param("photo.html", PNG + HTML, id="png-html-polyglot-named-html"),
    pytest.param("annex.docx", _zip({"payload.exe": EXE}), id="zip-renamed-docx"),
    pytest.param("annex.jar", _zip({"META-INF/MANIFEST.MF": b"Main-Class: X\n"}), id="jar"),
    pytest.param("setup.exe", EXE, id="exe"),
    pytest.param("notes", b"plain words", id="no-extension"),
]


def _multipart_upload(client: Client, url: str, name: str, content: bytes, prefix: str = ""):
    return client.post(url, {f"{prefix}title": "Annex", f"{prefix}file": SimpleUploadedFile(name, content)})


def _refused_by_content(response) -> bool:
    """The form came back with the upload check's own message (not some other error)."""
    html = response.content.decode()
    return response.status_code == 200 and ("is not accepted" in html or "does not match its name" in html)


# --- 413 before the body is read -------------------------------------------------------------------


class _Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def _request(content_type: str, length: int):
    request = RequestFactory().post("/challenges/1/edit/documents/", data=b"", content_type=content_type)
    request.META["CONTENT_TYPE"] = content_type
    request.META["CONTENT_LENGTH"] = str(length)
    request.META["wsgi.input"] = _Unreadable()
    request.META["HTTP_ACCEPT_LANGUAGE"] = "en"
    return request


def _middleware():
    return RequestBodyLimitMiddleware(lambda request: pytest.fail("the request reached the view"))


def test_the_body_limit_leaves_room_for_a_ten_megabyte_document():
    from challenges.uploads import max_document_bytes

    assert DEFAULT_MAX_REQUEST_BODY_BYTES == 12 * 1024 * 1024
    assert max_request_body_bytes() >= max_document_bytes() + 1024 * 1024


@override_settings(MAX_REQUEST_BODY_BYTES=1000)
def test_a_multipart_body_over_the_limit_is_refused_with_413_before_it_is_read():
    response = _middleware()(_request("multipart/form-data; boundary=x", 1001))

    assert response.status_code == 413
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "too large" in response.content.decode()
    assert "1000\xa0bytes" in response.content.decode()  # the limit, as filesizeformat writes it


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=500, MAX_REQUEST_BODY_BYTES=10_000)
def test_a_form_or_json_body_over_django_s_memory_limit_is_413_not_400():
    for content_type in ("application/x-www-form-urlencoded", "application/json"):
        response = _middleware()(_request(content_type, 501))
        assert response.status_code == 413, content_type


@override_settings(MAX_REQUEST_BODY_BYTES=1000, DATA_UPLOAD_MAX_MEMORY_SIZE=None)
def test_bodies_at_the_limit_or_with_an_unreadable_length_reach_the_view():
    reached = []
    middleware = RequestBodyLimitMiddleware(lambda request: reached.append(request) or "answer")
    assert middleware(_request("multipart/form-data; boundary=x", 1000)) == "answer"
    assert middleware(_request("application/json", 10**9)) == "answer"  # no memory limit set
    request = _request("multipart/form-data; boundary=x", 0)
    request.META["CONTENT_LENGTH"] = "lots"
    assert middleware(request) == "answer"
    assert len(reached) == 3


@pytest.mark.django_db
def test_through_the_whole_stack_an_oversized_upload_is_413_and_a_smaller_one_gets_the_form_s_error(
    client, settings
):
    settings.MIDDLEWARE = [
        settings.MIDDLEWARE[0],
        "portal.uploads_limit.RequestBodyLimitMiddleware",
        *settings.MIDDLEWARE[1:],
    ]
    settings.MAX_REQUEST_BODY_BYTES = 20_000
    settings.CHALLENGE_DOCUMENT_MAX_BYTES = 5_000
    member = MembershipFactory()
    challenge = ChallengeFactory(owner=member.organisation)
    client.force_login(member.user)
    url = reverse("challenges:challenge-edit", kwargs={"pk": challenge.pk, "step": "documents"})

    refused = _multipart_upload(client, url, "big.pdf", PDF + b"0" * 30_000)
    friendly = _multipart_upload(client, url, "medium.pdf", PDF + b"0" * 10_000)

    assert refused.status_code == 413
    assert friendly.status_code == 200
    assert "the limit is" in friendly.content.decode()  # the form's own message, next to the field
    assert not ChallengeDocument.objects.filter(challenge=challenge).exists()


# --- content, not names ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content"), DISGUISED)
def test_a_challenge_document_is_judged_by_its_bytes(client, name, content):
    member = MembershipFactory()
    challenge = ChallengeFactory(owner=member.organisation)
    client.force_login(member.user)
    url = reverse("challenges:challenge-edit", kwargs={"pk": challenge.pk, "step": "documents"})

    response = _multipart_upload(client, url, name, content)

    assert _refused_by_content(response)
    assert 'value="Annex"' in response.content.decode()  # what was typed is kept
    assert not ChallengeDocument.objects.filter(challenge=challenge).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content"), DISGUISED)
def test_a_proposal_document_is_judged_by_its_bytes(client, name, content):
    supplier = MembershipFactory(organisation=SupplierFactory())
    proposal = ProposalFactory(supplier=supplier.organisation, created_by=supplier.user)
    client.force_login(supplier.user)
    url = reverse("suppliers:proposal-document-add", kwargs={"pk": proposal.pk})

    response = _multipart_upload(client, url, name, content, prefix="document-")

    assert _refused_by_content(response)
    assert not ProposalDocument.objects.filter(proposal=proposal).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("logo.png", HTML, id="html-renamed-png"),
        pytest.param("logo.png", SVG, id="svg-renamed-png"),
        pytest.param("logo.svg", SVG, id="svg"),
        pytest.param("logo.png", EXE, id="exe-renamed-png"),
        pytest.param("logo.png", PDF, id="pdf-renamed-png"),
    ],
)
def test_a_logo_is_judged_by_its_bytes(name, content):
    from django.core.exceptions import ValidationError

    from suppliers.logos import check_logo

    with pytest.raises(ValidationError):
        check_logo(SimpleUploadedFile(name, content))


# --- stored under generated names, served through permission-checked views --------------------------


@pytest.mark.django_db
def test_an_uploaded_challenge_document_is_stored_under_a_generated_name(client):
    member = MembershipFactory()
    challenge = ChallengeFactory(owner=member.organisation)
    client.force_login(member.user)
    url = reverse("challenges:challenge-edit", kwargs={"pk": challenge.pk, "step": "documents"})

    response = _multipart_upload(client, url, "../../Secret plan; rm -rf.pdf", PDF)

    assert response.status_code == 302
    document = ChallengeDocument.objects.get(challenge=challenge)
    assert document.original_name == "Secret plan; rm -rf.pdf"  # the base name, kept in the database
    assert "Secret" not in document.file.name and ".." not in document.file.name
    assert not document.file.name.endswith(".pdf")


@pytest.mark.django_db
def test_an_uploaded_proposal_document_is_stored_under_a_generated_name(client):
    supplier = MembershipFactory(organisation=SupplierFactory())
    proposal = ProposalFactory(supplier=supplier.organisation, created_by=supplier.user)
    client.force_login(supplier.user)
    url = reverse("suppliers:proposal-document-add", kwargs={"pk": proposal.pk})

    response = _multipart_upload(client, url, "Price breakdown.pdf", PDF, prefix="document-")

    assert response.status_code == 302
    document = ProposalDocument.objects.get(proposal=proposal)
    assert document.original_name == "Price breakdown.pdf"
    assert "Price" not in document.file.name and not document.file.name.endswith(".pdf")


def _assert_served_as_attachment(response, filename: str, content_type: str) -> None:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert filename in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == content_type


@pytest.mark.django_db
def test_a_draft_s_document_is_served_as_an_attachment_only_to_its_owner(client):
    member = MembershipFactory()
    document = ChallengeDocumentFactory(challenge=ChallengeFactory(owner=member.organisation))
    url = reverse("challenges:document-download", kwargs={"pk": document.pk})

    anonymous = client.get(url)
    client.force_login(MembershipFactory().user)  # another buyer
    stranger = client.get(url)
    client.force_login(member.user)
    owner = client.get(url)

    assert anonymous.status_code == 404
    assert stranger.status_code == 404
    _assert_served_as_attachment(owner, "report.pdf", "application/pdf")
    assert b"".join(owner.streaming_content) == document.file.open("rb").read()


@pytest.mark.django_db
def test_a_text_document_that_is_html_inside_is_still_an_inert_attachment(client):
    member = MembershipFactory()
    challenge = ChallengeFactory(owner=member.organisation)
    client.force_login(member.user)
    edit = reverse("challenges:challenge-edit", kwargs={"pk": challenge.pk, "step": "documents"})
    assert _multipart_upload(client, edit, "notes.txt", HTML).status_code == 302
    document = ChallengeDocument.objects.get(challenge=challenge)

    response = client.get(reverse("challenges:document-download", kwargs={"pk": document.pk}))

    _assert_served_as_attachment(response, "notes.txt", "text/plain")
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_a_proposal_document_is_served_as_an_attachment_only_to_the_bidder_while_sealed(client):
    supplier = MembershipFactory(organisation=SupplierFactory())
    proposal = ProposalFactory(supplier=supplier.organisation, created_by=supplier.user)
    document = ProposalDocumentFactory(proposal=proposal)
    url = reverse("suppliers:proposal-document", kwargs={"pk": proposal.pk, "document_pk": document.pk})

    client.force_login(MembershipFactory(organisation=proposal.challenge.owner).user)
    buyer_before_deadline = client.get(url)
    client.force_login(MembershipFactory(organisation=SupplierFactory()).user)
    other_supplier = client.get(url)
    client.force_login(supplier.user)
    bidder = client.get(url)

    assert buyer_before_deadline.status_code == 404
    assert other_supplier.status_code == 404
    _assert_served_as_attachment(bidder, "annex.pdf", "application/pdf")
    assert response_is_private(bidder)


def response_is_private(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_media_files_are_not_served_at_media_url(client):
    document = ChallengeDocumentFactory()

    response = client.get(f"{settings.MEDIA_URL}{document.file.name}")

    assert response.status_code == 404


def test_no_url_pattern_serves_media():
    """portal/urls.py never adds django.views.static.serve (static() for MEDIA_URL), in any settings."""
    from django.urls import get_resolver

    def views(resolver):
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                yield from views(pattern)
            else:
                yield pattern.callback

    assert all(getattr(view, "__module__", "") != "django.views.static" for view in views(get_resolver()))
    assert str(getattr(settings, "WHITENOISE_ROOT", None)) != str(settings.MEDIA_ROOT)
