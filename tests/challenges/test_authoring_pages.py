"""Documents through the editor and the download view; the preview; a buyer's list of its challenges; the
CPV picker's search; and query counts that do not grow with rows."""

import datetime
import hashlib
import json
import re
import zoneinfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from challenges.enums import ChallengeStatus
from challenges.models import Challenge, ChallengeDocument
from challenges.selectors.authoring import CPV_PAGE_SIZE
from challenges.services.authoring import add_challenge_document
from tests.accounts.form_assertions import assert_field_error, assert_input_value
from tests.challenges.authoring_fixtures import authoring_actors, edit_url, h1_count, messages_of
from tests.challenges.test_authoring_uploads import DOCX, EXE, PDF
from tests.factories.accounts import MembershipFactory, SupplierFactory
from tests.factories.challenges import ChallengeFactory, CriterionFactory, OutcomeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def actors() -> dict:
    return authoring_actors()


@pytest.fixture
def member_client(client, actors):
    client.force_login(actors["owner_member"])
    return client


def _upload(actors, name="report.pdf", content=PDF, title="Background report") -> ChallengeDocument:
    return add_challenge_document(
        challenge=actors["challenge"],
        by=actors["owner_member"],
        title=title,
        file=SimpleUploadedFile(name, content),
    )


# Documents


def test_documents_step_uploads_a_document(member_client, actors):
    challenge = actors["challenge"]

    response = member_client.post(
        edit_url(challenge, "documents"),
        {
            "title": "Survey results",
            "file": SimpleUploadedFile("survey.docx", DOCX, content_type="text/plain"),
        },
    )

    document = challenge.documents.get()
    assert response.status_code == 302
    assert document.title == "Survey results"
    assert document.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert document.sha256 == hashlib.sha256(DOCX).hexdigest()
    assert messages_of(response) == ["“Survey results” has been added."]


def test_documents_step_refuses_an_exe_renamed_pdf_and_keeps_the_title(member_client, actors):
    challenge = actors["challenge"]

    response = member_client.post(
        edit_url(challenge, "documents"),
        {"title": "Invoice", "file": SimpleUploadedFile("invoice.pdf", EXE, content_type="application/pdf")},
    )

    assert response.status_code == 200
    assert_field_error(
        response,
        "file",
        "This kind of file is not accepted. Upload PDF, PNG, JPEG, Word (.docx), Excel (.xlsx), "
        "OpenDocument text (.odt), plain text or CSV.",
    )
    assert_input_value(response, "title", "Invoice")
    assert not ChallengeDocument.objects.exists()


def test_documents_step_refuses_a_file_named_as_another_kind(member_client, actors):
    response = member_client.post(
        edit_url(actors["challenge"], "documents"),
        {"title": "Report", "file": SimpleUploadedFile("report.docx", PDF)},
    )

    assert_field_error(
        response, "file", "The file's content does not match its name: it is not a .docx file."
    )
    assert not ChallengeDocument.objects.exists()


def test_documents_step_refuses_an_oversized_file(member_client, actors, settings):
    settings.CHALLENGE_DOCUMENT_MAX_BYTES = 2048

    response = member_client.post(
        edit_url(actors["challenge"], "documents"),
        {"title": "Big", "file": SimpleUploadedFile("big.pdf", PDF + b"0" * 4096)},
    )

    assert_field_error(response, "file", "The file is 4.1\xa0KB; the limit is 2.0\xa0KB.")
    assert not ChallengeDocument.objects.exists()


def test_documents_step_needs_a_file_and_a_title(member_client, actors):
    response = member_client.post(edit_url(actors["challenge"], "documents"), {"title": ""})

    assert_field_error(response, "title", "This field is required.")
    assert_field_error(response, "file", "This field is required.")


def test_documents_step_lists_the_documents_with_remove_buttons(member_client, actors):
    document = _upload(actors)

    content = member_client.get(edit_url(actors["challenge"], "documents")).content.decode()

    assert "Background report" in content
    assert reverse("challenges:document-download", kwargs={"pk": document.pk}) in content
    assert (
        reverse(
            "challenges:document-delete", kwargs={"pk": actors["challenge"].pk, "document_pk": document.pk}
        )
        in content
    )


def test_document_delete_removes_it_while_draft(member_client, actors):
    document = _upload(actors)
    url = reverse(
        "challenges:document-delete", kwargs={"pk": actors["challenge"].pk, "document_pk": document.pk}
    )

    response = member_client.post(url)

    assert response["Location"] == edit_url(actors["challenge"], "documents")
    assert not ChallengeDocument.objects.exists()
    assert messages_of(response) == ["“Background report” has been removed."]


def test_document_download_is_an_attachment_of_the_sniffed_type(member_client, actors):
    document = _upload(actors, name="Rapport om ensomhet.pdf")

    response = member_client.get(reverse("challenges:document-download", kwargs={"pk": document.pk}))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Rapport" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "private, no-store"


def test_document_download_of_a_missing_document_is_404(client):
    assert client.get(reverse("challenges:document-download", kwargs={"pk": 987654})).status_code == 404


# Preview


def test_preview_shows_the_whole_statement_with_deadlines_in_the_challenges_time_zone(member_client, actors):
    challenge = actors["challenge"]
    deadline = timezone.now().replace(microsecond=0, second=0) + datetime.timedelta(days=30)
    Challenge.objects.filter(pk=challenge.pk).update(
        deadline_timezone="Asia/Tokyo", submission_deadline=deadline
    )
    challenge.cpv_codes.set(["85300000"])
    _upload(actors)

    response = member_client.get(reverse("challenges:challenge-preview", kwargs={"pk": challenge.pk}))

    content = response.content.decode()
    local = timezone.localtime(deadline, timezone=zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert f'datetime="{local.isoformat()}"' in content
    assert "(Asia/Tokyo)" in content
    assert "Share of residents over 75 who say they are often lonely" in content
    assert "Impact on the outcomes" in content and "60 %" in content
    assert "85300000" in content
    assert "Background report" in content
    assert "Personal data must stay in the EEA." in content
    assert "Preview: this is how the public will see the statement" in content
    assert h1_count(response) == 1


def test_preview_with_an_unknown_time_zone_still_renders(member_client, actors):
    challenge = actors["challenge"]
    Challenge.objects.filter(pk=challenge.pk).update(deadline_timezone="Mars/Olympus_Mons")

    response = member_client.get(reverse("challenges:challenge-preview", kwargs={"pk": challenge.pk}))

    assert response.status_code == 200
    assert "(UTC)" in response.content.decode()


# A buyer's own challenges


def test_organisation_challenges_lists_every_status_of_the_active_buyer_only(member_client, actors):
    published = ChallengeFactory(owner=actors["buyer"], status=ChallengeStatus.PUBLISHED, title="Open one")
    ChallengeFactory(title="Somebody else's")

    content = member_client.get(reverse("challenges:organisation-challenges")).content.decode()

    assert actors["challenge"].title in content
    assert "Open one" in content
    assert "Somebody else's" not in content
    assert edit_url(actors["challenge"], "problem") in content
    assert reverse("challenges:challenge-preview", kwargs={"pk": published.pk}) in content
    assert edit_url(published, "problem") not in content


def test_organisation_challenges_paginates(member_client, actors):
    ChallengeFactory.create_batch(25, owner=actors["buyer"], with_outcome_and_criteria=False)

    first = member_client.get(reverse("challenges:organisation-challenges"))
    second = member_client.get(reverse("challenges:organisation-challenges"), {"page": 2})

    assert len(first.context["page_obj"].object_list) == 25
    assert len(second.context["page_obj"].object_list) == 1
    assert "Page 1 of 2" in first.content.decode()


def test_organisation_challenges_tells_a_supplier_it_acts_for_no_buyer(client):
    user = MembershipFactory(organisation=SupplierFactory(name="Acme AS")).user
    client.force_login(user)

    content = client.get(reverse("challenges:organisation-challenges")).content.decode()

    assert "You are acting for Acme AS, which is not a buyer." in content
    assert reverse("challenges:challenge-create") not in content


@pytest.mark.parametrize("rows", [1, 6])
def test_organisation_challenges_query_count(client, django_assert_num_queries, rows):
    actors = authoring_actors()
    ChallengeFactory.create_batch(rows - 1, owner=actors["buyer"], deadline_timezone="America/New_York")
    client.force_login(actors["owner_member"])

    with django_assert_num_queries(6):
        response = client.get(reverse("challenges:organisation-challenges"))

    assert len(response.context["page_obj"].object_list) == rows


# The CPV picker's search


def test_cpv_search_by_code_prefix(client):
    data = client.get(reverse("challenges:cpv-search"), {"q": "8531"}).json()

    assert data["results"][0] == {"code": "85310000", "label": "Social work services"}
    assert all(result["code"].startswith("8531") for result in data["results"])
    assert data["page"] == 1


def test_cpv_search_lists_labels_that_begin_with_the_words_first(client):
    data = client.get(reverse("challenges:cpv-search"), {"q": "social work"}).json()

    assert [result["code"] for result in data["results"][:2]] == ["85300000", "85310000"]


def test_cpv_search_by_label_words_in_any_order(client):
    data = client.get(reverse("challenges:cpv-search"), {"q": "services social work"}).json()

    codes = [result["code"] for result in data["results"]]
    assert "85310000" in codes
    for result in data["results"]:
        label = result["label"].lower()
        assert "services" in label and "social" in label and "work" in label


def test_cpv_search_accepts_a_code_with_its_check_digit(client):
    data = client.get(reverse("challenges:cpv-search"), {"q": "72000000-5"}).json()

    assert data["results"][0]["code"] == "72000000"


def test_cpv_search_pages_its_results(client):
    first = client.get(reverse("challenges:cpv-search"), {"q": "services"}).json()
    second = client.get(reverse("challenges:cpv-search"), {"q": "services", "page": "2"}).json()

    assert len(first["results"]) == CPV_PAGE_SIZE
    assert first["has_more"] is True
    assert second["page"] == 2
    assert {r["code"] for r in first["results"]}.isdisjoint({r["code"] for r in second["results"]})


@pytest.mark.parametrize("query", ["", "a", " ", "zzzzqqqq"])
def test_cpv_search_finds_nothing_for_too_little_or_nonsense(client, query):
    data = client.get(reverse("challenges:cpv-search"), {"q": query}).json()

    assert data["results"] == []
    assert data["has_more"] is False


def test_cpv_search_survives_a_bad_page_number(client):
    response = client.get(reverse("challenges:cpv-search"), {"q": "care", "page": "x"})

    assert response.status_code == 200
    assert response.json()["page"] == 1


def test_cpv_search_caps_the_number_of_words_and_the_page(client):
    response = client.get(reverse("challenges:cpv-search"), {"q": "a " * 500 + "care", "page": "99999"})

    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("query", ["8", "85", "services"])
def test_cpv_search_query_count(client, django_assert_num_queries, query):
    with django_assert_num_queries(1 if len(query) > 1 else 0):
        client.get(reverse("challenges:cpv-search"), {"q": query})


# Query counts of the editor's pages do not grow with outcomes, criteria, codes and documents


@pytest.mark.parametrize("rows", [1, 5])
@pytest.mark.parametrize(
    ("step", "queries"),
    [
        # problem, practicalities and review: one more, "others who faced this need" (case studies)
        ("problem", 12),
        ("outcomes", 11),
        ("constraints", 11),
        ("practicalities", 13),
        ("criteria", 11),
        ("documents", 11),
        ("review", 12),
    ],
)
def test_challenge_edit_query_count(client, django_assert_num_queries, rows, step, queries):
    actors = authoring_actors(with_outcome_and_criteria=False)
    challenge = actors["challenge"]
    OutcomeFactory.create_batch(rows, challenge=challenge)
    CriterionFactory.create_batch(rows, challenge=challenge, weight=1)
    challenge.cpv_codes.set(["85300000", "72000000", "48000000", "79000000", "71000000"][:rows])
    for number in range(rows):
        _upload(actors, title=f"Document {number}")
    client.force_login(actors["owner_member"])

    with django_assert_num_queries(queries):
        client.get(edit_url(challenge, step))


@pytest.mark.parametrize("rows", [1, 5])
def test_challenge_preview_query_count(client, django_assert_num_queries, rows):
    actors = authoring_actors(with_outcome_and_criteria=False)
    challenge = actors["challenge"]
    OutcomeFactory.create_batch(rows, challenge=challenge)
    CriterionFactory.create_batch(rows, challenge=challenge, weight=1)
    for number in range(rows):
        _upload(actors, title=f"Document {number}")
    client.force_login(actors["owner_member"])

    with django_assert_num_queries(10):
        client.get(reverse("challenges:challenge-preview", kwargs={"pk": challenge.pk}))


def test_the_picker_labels_are_json(member_client, actors):
    actors["challenge"].cpv_codes.set(["85300000"])

    content = member_client.get(edit_url(actors["challenge"], "practicalities")).content.decode()

    raw = re.search(r'data-cpv-labels="([^"]*)"', content).group(1)
    assert json.loads(raw.replace("&quot;", '"')) == {"85300000": "Social work and related services"}


@pytest.mark.parametrize("rows", [1, 5])
def test_outcomes_save_query_count(client, django_assert_num_queries, rows):
    actors = authoring_actors(with_outcome_and_criteria=False)
    challenge = actors["challenge"]
    outcomes = OutcomeFactory.create_batch(rows, challenge=challenge)
    data = {
        "outcomes-TOTAL_FORMS": str(rows + 1),
        "outcomes-INITIAL_FORMS": str(rows),
        "outcomes-MIN_NUM_FORMS": "0",
        "outcomes-MAX_NUM_FORMS": "30",
    }
    for index, outcome in enumerate(outcomes):
        data |= {
            f"outcomes-{index}-id": outcome.pk,
            f"outcomes-{index}-description": f"Reworded {index}",
            f"outcomes-{index}-ORDER": index + 1,
        }
    data |= {f"outcomes-{rows}-description": "Brand new", f"outcomes-{rows}-ORDER": rows + 1}
    client.force_login(actors["owner_member"])
    # The audit entry's content type is cached per process; start from a known state.
    ContentType.objects.clear_cache()

    # Read (9), then lock, read the rows, one UPDATE for all changed rows, one INSERT, touch, audit (9).
    with django_assert_num_queries(18):
        response = client.post(edit_url(challenge, "outcomes"), data)

    assert response.status_code == 302
    assert challenge.outcomes.count() == rows + 1
