"""The library's pages: a permission grid for every view, writing from a challenge (prefilled; bad input
kept), editing, publishing, unpublishing, the detail page's sections and links, and query counts."""

import pytest
from django.urls import reverse

from challenges.casestudies.enums import CaseStudyStatus
from challenges.casestudies.models import CaseStudy
from challenges.enums import ChallengeStatus
from tests.factories.accounts import MembershipFactory, ProgrammeOrganisationFactory
from tests.factories.casestudies import CaseStudyFactory, ExchangeCaseStudyFactory, PublishedCaseStudyFactory
from tests.factories.challenges import ChallengeFactory, ThemeFactory

pytestmark = pytest.mark.django_db
ACTORS = ["anonymous", "owner_member", "other_buyer", "supplier", "staff"]


def _as(client, actors, actor):
    if user := actors[actor]:
        client.force_login(user)
    return client


def _grid(statuses):
    return list(zip(ACTORS, statuses, strict=True))


# Permission grids


@pytest.mark.parametrize(("actor", "status"), _grid([200, 200, 200, 200, 200]))
def test_library_is_public(client, actors, actor, status):
    PublishedCaseStudyFactory()

    assert _as(client, actors, actor).get(reverse("casestudies:case-study-list")).status_code == status


@pytest.mark.parametrize(("actor", "status"), _grid([200, 200, 200, 200, 200]))
def test_published_case_study_is_public(client, actors, owner, actor, status):
    case_study = PublishedCaseStudyFactory(challenge__owner=owner)

    assert _as(client, actors, actor).get(case_study.get_absolute_url()).status_code == status


@pytest.mark.parametrize(("actor", "status"), _grid([404, 200, 404, 404, 200]))
def test_draft_case_study_is_for_the_owner_and_staff(client, actors, owner, actor, status):
    case_study = CaseStudyFactory(challenge__owner=owner)

    assert _as(client, actors, actor).get(case_study.get_absolute_url()).status_code == status


@pytest.mark.parametrize(("actor", "status"), _grid([302, 200, 404, 404, 404]))
def test_write_page_access(client, actors, awarded_challenge, actor, status):
    url = reverse("casestudies:case-study-create", args=[awarded_challenge.pk])

    response = _as(client, actors, actor).get(url)

    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("status", [ChallengeStatus.PUBLISHED, ChallengeStatus.UNDER_EVALUATION])
def test_write_page_is_404_before_the_challenge_ended(client, owner, owner_member, status):
    challenge = ChallengeFactory(owner=owner, status=status)
    client.force_login(owner_member)

    assert client.get(reverse("casestudies:case-study-create", args=[challenge.pk])).status_code == 404


@pytest.mark.parametrize(("actor", "status"), _grid([302, 200, 404, 404, 404]))
def test_edit_page_access(client, actors, owner, actor, status):
    case_study = CaseStudyFactory(challenge__owner=owner)

    assert (
        _as(client, actors, actor)
        .get(reverse("casestudies:case-study-edit", args=[case_study.pk]))
        .status_code
        == status
    )


@pytest.mark.parametrize(
    ("actor", "status", "published"),
    [
        ("anonymous", 302, False),
        ("owner_member", 302, True),
        ("other_buyer", 404, False),
        ("supplier", 404, False),
        ("staff", 404, False),
    ],
)
def test_publish_access(client, actors, owner, actor, status, published):
    case_study = CaseStudyFactory(challenge__owner=owner)

    response = _as(client, actors, actor).post(
        reverse("casestudies:case-study-publish", args=[case_study.pk])
    )

    assert response.status_code == status
    case_study.refresh_from_db()
    assert case_study.is_published is published


@pytest.mark.parametrize(
    ("actor", "status", "unpublished"),
    [
        ("anonymous", 302, False),
        ("owner_member", 302, True),
        ("other_buyer", 404, False),
        ("supplier", 404, False),
        ("staff", 302, True),
    ],
)
def test_unpublish_access(client, actors, owner, actor, status, unpublished):
    case_study = PublishedCaseStudyFactory(challenge__owner=owner)

    response = _as(client, actors, actor).post(
        reverse("casestudies:case-study-unpublish", args=[case_study.pk])
    )

    assert response.status_code == status
    case_study.refresh_from_db()
    assert (case_study.status == CaseStudyStatus.DRAFT) is unpublished


def test_publish_and_unpublish_need_post(client, owner, owner_member):
    case_study = CaseStudyFactory(challenge__owner=owner)
    client.force_login(owner_member)

    assert client.get(reverse("casestudies:case-study-publish", args=[case_study.pk])).status_code == 405
    assert client.get(reverse("casestudies:case-study-unpublish", args=[case_study.pk])).status_code == 405


# Writing, editing, publishing


def test_write_form_is_prefilled_from_the_challenge(client, owner, owner_member):
    challenge = ChallengeFactory(
        owner=owner, status=ChallengeStatus.CANCELLED, title="Cleaner air in old schools"
    )
    client.force_login(owner_member)

    page = client.get(reverse("casestudies:case-study-create", args=[challenge.pk])).content.decode()

    assert 'value="Cleaner air in old schools"' in page
    assert challenge.current_situation in page
    assert "Indicator: Share of residents over 75 who say they are often lonely" in page
    assert 'value="85000000"' in page


def test_writing_saves_a_draft_and_a_second_visit_goes_to_it(client, owner, owner_member, awarded_challenge):
    theme = ThemeFactory()
    client.force_login(owner_member)
    url = reverse("casestudies:case-study-create", args=[awarded_challenge.pk])

    response = client.post(
        url,
        {
            "title": "What we learnt",
            "need": "The need",
            "lessons": "Talk to the market early",
            "capability": "supplier_dialogue",
            "themes": [theme.pk],
            "cpv_codes": "85000000",
        },
    )

    case_study = CaseStudy.objects.get()
    assert response["Location"] == case_study.get_absolute_url()
    assert (case_study.status, case_study.challenge, case_study.capability) == (
        CaseStudyStatus.DRAFT,
        awarded_challenge,
        "supplier_dialogue",
    )
    assert [code.code for code in case_study.cpv_codes.all()] == ["85000000"]
    assert client.get(url)["Location"] == reverse("casestudies:case-study-edit", args=[case_study.pk])


def test_bad_input_keeps_what_was_typed(client, owner_member, awarded_challenge):
    client.force_login(owner_member)

    response = client.post(
        reverse("casestudies:case-study-create", args=[awarded_challenge.pk]),
        {"title": "Kept title", "need": "", "lessons": "Kept lesson", "cpv_codes": "12, 99999999"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "“12” is not a CPV code" in page
    assert 'value="Kept title"' in page
    assert "Kept lesson" in page
    assert not CaseStudy.objects.exists()


def test_edit_saves_and_keeps_the_status(client, owner, owner_member):
    case_study = PublishedCaseStudyFactory(challenge__owner=owner)
    client.force_login(owner_member)

    client.post(
        reverse("casestudies:case-study-edit", args=[case_study.pk]),
        {"title": "New title", "need": "New need", "lessons": "A\nB"},
    )

    case_study.refresh_from_db()
    assert (case_study.title, case_study.lesson_list, case_study.status) == (
        "New title",
        ["A", "B"],
        CaseStudyStatus.PUBLISHED,
    )


def test_publishing_without_lessons_says_why(client, owner, owner_member):
    case_study = CaseStudyFactory(challenge__owner=owner, lessons="")
    client.force_login(owner_member)

    response = client.post(reverse("casestudies:case-study-publish", args=[case_study.pk]), follow=True)

    assert "Write the lessons learnt before publishing the case study." in response.content.decode()
    case_study.refresh_from_db()
    assert case_study.status == CaseStudyStatus.DRAFT


def test_publishing_twice_says_so(client, owner, owner_member):
    case_study = PublishedCaseStudyFactory(challenge__owner=owner)
    client.force_login(owner_member)

    response = client.post(reverse("casestudies:case-study-publish", args=[case_study.pk]), follow=True)

    assert "The case study is already published." in response.content.decode()


# The detail page


def test_detail_shows_every_section_lessons_as_a_list_and_the_challenge(client):
    case_study = PublishedCaseStudyFactory(
        lessons="- Meet the market first\n• Involve the staff", challenge__status=ChallengeStatus.AWARDED
    )

    page = client.get(case_study.get_absolute_url()).content.decode()

    for heading in (
        "The need",
        "Market engagement",
        "What was bought or learnt",
        "Outcome against the indicators",
        "Lessons learnt",
        "What we would do differently",
        "Contacts willing to talk",
    ):
        assert f">{heading}</h2>" in page
    assert "<li>Meet the market first</li><li>Involve the staff</li>" in page
    assert f'href="{case_study.challenge.get_absolute_url()}"' in page
    assert page.count("<h1") == 1


def test_detail_shows_actions_the_user_may_take(client, owner, owner_member, staff):
    case_study = CaseStudyFactory(challenge__owner=owner)
    edit = reverse("casestudies:case-study-edit", args=[case_study.pk])
    publish = reverse("casestudies:case-study-publish", args=[case_study.pk])

    client.force_login(owner_member)
    page = client.get(case_study.get_absolute_url()).content.decode()
    assert edit in page and publish in page
    client.force_login(staff)
    page = client.get(case_study.get_absolute_url()).content.decode()
    assert edit not in page and publish not in page


@pytest.mark.parametrize("rows", [1, 5])
def test_list_query_count(client, django_assert_num_queries, rows):
    for case_study in PublishedCaseStudyFactory.create_batch(rows):
        case_study.themes.set([ThemeFactory()])

    # themes and countries for the form, the count, the page, the page's themes
    with django_assert_num_queries(5):
        response = client.get(reverse("casestudies:case-study-list"))
    assert response.content.decode().count("<article") == rows


@pytest.mark.parametrize("rows", [1, 5])
def test_detail_query_count(client, django_assert_num_queries, rows):
    case_study = PublishedCaseStudyFactory()
    case_study.themes.set(ThemeFactory.create_batch(rows))

    with django_assert_num_queries(3):  # the case study with its links, its themes, its CPV codes
        client.get(case_study.get_absolute_url())


def test_list_is_paginated(client):
    PublishedCaseStudyFactory.create_batch(21)

    first = client.get(reverse("casestudies:case-study-list")).content.decode()
    second = client.get(reverse("casestudies:case-study-list") + "?page=2").content.decode()

    assert "Page 1 of 2" in first
    assert (first.count("<article"), second.count("<article")) == (20, 1)


def test_list_shows_published_case_studies_only(client):
    PublishedCaseStudyFactory(title="Published one")
    CaseStudyFactory(title="A draft")

    page = client.get(reverse("casestudies:case-study-list")).content.decode()

    assert "Published one" in page
    assert "A draft" not in page


def test_pages_have_one_main_heading_and_labelled_fields(client, owner, owner_member, awarded_challenge):
    client.force_login(owner_member)
    case_study = CaseStudyFactory(challenge=ChallengeFactory(owner=owner, status=ChallengeStatus.CANCELLED))

    for url in (
        reverse("casestudies:case-study-list"),
        case_study.get_absolute_url(),
        reverse("casestudies:case-study-edit", args=[case_study.pk]),
        reverse("casestudies:case-study-create", args=[awarded_challenge.pk]),
    ):
        page = client.get(url).content.decode()
        assert page.count("<h1") == 1, url
        assert 'style="' not in page and "<script>" not in page, url

    create = reverse("casestudies:case-study-create", args=[awarded_challenge.pk])
    form_page = client.get(create).content.decode()
    for name in ("title", "need", "lessons", "contacts", "capability", "cpv_codes"):
        assert f'for="id_{name}"' in form_page, name


# An exchange's case study on the library's pages: programme staff manage it, not the host's members


@pytest.mark.parametrize(("actor", "status"), _grid([404, 404, 404, 404, 200]))
def test_exchange_draft_is_for_staff_only(client, actors, owner, actor, status):
    case_study = ExchangeCaseStudyFactory(owner=owner, status=CaseStudyStatus.DRAFT, published_at=None)

    assert _as(client, actors, actor).get(case_study.get_absolute_url()).status_code == status


@pytest.mark.parametrize(("actor", "status"), _grid([302, 404, 404, 404, 200]))
def test_exchange_case_study_edit_page_access(client, actors, owner, actor, status):
    case_study = ExchangeCaseStudyFactory(owner=owner)
    url = reverse("casestudies:case-study-edit", args=[case_study.pk])

    assert _as(client, actors, actor).get(url).status_code == status


@pytest.mark.parametrize(
    ("actor", "status", "unpublished"),
    [
        ("anonymous", 302, False),
        ("owner_member", 404, False),
        ("other_buyer", 404, False),
        ("supplier", 404, False),
        ("staff", 302, True),
    ],
)
def test_exchange_case_study_unpublish_access(client, actors, owner, actor, status, unpublished):
    case_study = ExchangeCaseStudyFactory(owner=owner)

    response = _as(client, actors, actor).post(
        reverse("casestudies:case-study-unpublish", args=[case_study.pk])
    )

    assert response.status_code == status
    case_study.refresh_from_db()
    assert (case_study.status == CaseStudyStatus.DRAFT) is unpublished


def test_host_members_are_offered_no_unpublish_button(client, owner, owner_member):
    case_study = ExchangeCaseStudyFactory(owner=owner)
    client.force_login(owner_member)

    page = client.get(case_study.get_absolute_url()).content.decode()

    assert reverse("casestudies:case-study-unpublish", args=[case_study.pk]) not in page


# Contacts willing to talk: for the public sector and staff


@pytest.mark.parametrize(
    ("actor", "shown"),
    [
        ("anonymous", False),
        ("owner_member", True),
        ("other_buyer", True),
        ("programme_member", True),
        ("supplier", False),
        ("staff", True),
    ],
)
def test_contacts_are_shown_to_the_public_sector_and_staff(client, actors, actor, shown):
    actors["programme_member"] = MembershipFactory(organisation=ProgrammeOrganisationFactory()).user
    case_study = PublishedCaseStudyFactory(contacts="Kari Nordmann, kari.nordmann@example.org")

    page = _as(client, actors, actor).get(case_study.get_absolute_url()).content.decode()

    assert ">Contacts willing to talk</h2>" in page
    assert ("kari.nordmann@example.org" in page) is shown
    assert ("signed-in members of public buyers and programme organisations" in page) is not shown
    assert (f'href="{reverse("account_login")}?next=' in page) is (actor == "anonymous")


# Editing a published case study


def test_editing_a_published_case_study_keeps_its_lessons_and_what_was_typed(client, owner, owner_member):
    case_study = PublishedCaseStudyFactory(challenge__owner=owner)
    client.force_login(owner_member)
    data = {
        "title": "A title typed just now",
        "need": case_study.need,
        "lessons": "",
        "contacts": "",
        "cpv_codes": "",
    }

    response = client.post(reverse("casestudies:case-study-edit", args=[case_study.pk]), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "A published case study must keep the lessons learnt" in page
    assert 'value="A title typed just now"' in page
    case_study.refresh_from_db()
    assert case_study.lessons != "" and case_study.title != "A title typed just now"
