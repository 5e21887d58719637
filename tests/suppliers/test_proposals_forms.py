"""The proposal editor's forms: amounts as people type them, clear messages that keep the typed text,
documents checked by their content."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from suppliers.enums import PartnerStatus
from suppliers.forms_proposals import (
    PriceLineFormSet,
    ProposalDocumentForm,
    ProposalForm,
    normalise_amount,
)
from tests.factories.suppliers import PDF_BYTES, ConsortiumPartnerFactory, ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("125000", "125000"),
        (" 125 000 ", "125000"),
        ("125\u00a0000,50", "125000.50"),
        ("125,000.50", "125000.50"),
        ("125.000,50", "125000.50"),
        ("1,5", "1.5"),
        ("120,000", "120000"),
        ("12O00", "12O00"),
    ],
)
def test_normalise_amount_reads_the_usual_ways_of_writing_numbers(typed, expected):
    assert normalise_amount(typed) == expected


def editor_form(proposal, **data):
    return ProposalForm({"revision": "0", "base": "{}", **data}, proposal=proposal)


def test_proposal_form_refuses_a_price_that_is_not_a_number_and_keeps_the_text():
    form = editor_form(ProposalFactory(), price="12O00 euro")

    assert not form.is_valid()
    assert form.errors["price"] == ["Enter an amount as a number, for example 125000 or 125000.50."]
    assert form["price"].value() == "12O00 euro"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "An amount cannot be negative."),
        ("1.234", "Give at most two decimals."),
        ("1" * 15, "This amount is too large."),
    ],
)
def test_proposal_form_says_what_is_wrong_with_a_price(typed, message):
    form = editor_form(ProposalFactory(), price=typed)

    assert not form.is_valid()
    assert form.errors["price"] == [message]


def test_proposal_form_reads_a_price_with_spaces_and_a_decimal_comma():
    form = editor_form(ProposalFactory(), price="125 000,50")

    assert form.is_valid(), form.errors
    assert form.cleaned_data["price"] == Decimal("125000.50")


def test_proposal_form_never_requires_completeness():
    proposal = ProposalFactory()

    form = editor_form(proposal)

    assert form.is_valid(), form.errors
    assert form.values()["summary"] == ""


def test_proposal_form_has_one_answer_per_outcome_and_criterion():
    proposal = ProposalFactory()
    challenge = proposal.challenge

    form = editor_form(proposal)

    names = [name for name in form.fields if name.startswith(("outcome-", "criterion-"))]
    assert names == [f"outcome-{outcome.pk}" for outcome in challenge.outcomes.all()] + [
        f"criterion-{criterion.pk}" for criterion in challenge.criteria.all()
    ]


def test_proposal_form_shows_the_leads_role_and_share_only_with_partners():
    alone = ProposalFactory()
    with_partner = ConsortiumPartnerFactory(status=PartnerStatus.INVITED).proposal
    declined = ConsortiumPartnerFactory(status=PartnerStatus.DECLINED).proposal

    assert "lead_share" not in editor_form(alone).fields
    assert "lead_share" in editor_form(with_partner).fields
    assert "lead_share" not in editor_form(declined).fields


@pytest.mark.parametrize("typed", ["101", "abc", "-1"])
def test_proposal_form_refuses_a_share_outside_0_to_100(typed):
    proposal = ConsortiumPartnerFactory().proposal

    form = editor_form(proposal, lead_share=typed)

    assert not form.is_valid()
    assert form.errors["lead_share"] == ["Enter a percentage as a number from 0 to 100, for example 60."]
    assert form["lead_share"].value() == typed


def test_proposal_form_reads_a_damaged_base_as_empty():
    form = editor_form(ProposalFactory(), base="[not json")

    assert form.is_valid()
    assert form.cleaned_data["base"] == {}


def lines_formset(*rows, deleted=()):
    data = {"lines-TOTAL_FORMS": str(len(rows)), "lines-INITIAL_FORMS": str(len(rows))}
    for index, (description, amount) in enumerate(rows):
        data[f"lines-{index}-description"] = description
        data[f"lines-{index}-amount"] = amount
        if index in deleted:
            data[f"lines-{index}-DELETE"] = "on"
    return PriceLineFormSet(data, prefix="lines")


def test_price_lines_keep_filled_rows_and_drop_empty_and_removed_ones():
    formset = lines_formset(("Pilot", "80 000"), ("", ""), ("Old", "5"), deleted=(2,))

    assert formset.is_valid(), formset.errors
    assert formset.lines() == [("Pilot", Decimal("80000"))]


def test_price_lines_say_what_a_half_filled_row_lacks():
    formset = lines_formset(("Pilot", ""), ("", "500"), ("Travel", "lots"))

    assert not formset.is_valid()
    assert formset.errors[0] == {"amount": ["Give the amount of this item."]}
    assert formset.errors[1] == {"description": ["Say what this amount is for."]}
    assert formset.errors[2] == {"amount": ["Enter an amount as a number, for example 125000 or 125000.50."]}


def document_form(name, content, title="Annex"):
    return ProposalDocumentForm(
        {"document-title": title}, {"document-file": SimpleUploadedFile(name, content)}
    )


def test_document_form_accepts_a_pdf_and_titles_it_by_its_name_when_untitled():
    form = document_form("annex.pdf", PDF_BYTES, title="")

    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "annex.pdf"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "This kind of file is not accepted"),
        ("annex.docx", PDF_BYTES, "does not match its name"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_document_form_refuses_files_by_their_content(name, content, message):
    form = document_form(name, content)

    assert not form.is_valid()
    assert message in form.errors["file"][0]


def test_document_form_refuses_a_file_that_is_too_large(settings):
    settings.CHALLENGE_DOCUMENT_MAX_BYTES = 50

    form = document_form("annex.pdf", PDF_BYTES + b" " * 100)

    assert not form.is_valid()
    assert "the limit is 50" in form.errors["file"][0]
