"""Procurement volumes: one row per organisation and year, revised in place, every change in the audit log
with the figures before and after; bounds; who may read and record; the page's query count."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.insight.forms import AmountField
from portal.insight.models import ProcurementVolume
from portal.insight.services import InsightError, record_procurement_volume
from tests.factories.accounts import (
    AdminMembershipFactory,
    MembershipFactory,
    SupplierFactory,
    organisation_actors,
)
from tests.factories.insight import ProcurementVolumeFactory

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year


@pytest.fixture
def actors(db):
    actors = organisation_actors()
    supplier_membership = AdminMembershipFactory(organisation=SupplierFactory())
    actors["supplier"] = supplier_membership.user
    actors["supplier_organisation"] = supplier_membership.organisation
    return actors


def _url(organisation) -> str:
    return reverse("insight:volumes", args=[organisation.slug])


def _post_data(**overrides) -> dict:
    return {
        "year": str(THIS_YEAR - 1),
        "procurement_count": "412",
        "procurement_value": "6 135 000 000",
        "currency": "NOK",
        **overrides,
    }


def _record(organisation, by, **overrides):
    figures = {
        "year": THIS_YEAR - 1,
        "procurement_count": 412,
        "procurement_value": Decimal("6135000000"),
        "currency": "NOK",
        **overrides,
    }
    return record_procurement_volume(organisation=organisation, by=by, **figures)


# Rules


def test_record_procurement_volume_creates_the_year_with_an_audit_entry(actors):
    organisation, admin = actors["organisation"], actors["admin"]

    volume = _record(organisation, admin)

    assert (volume.year, volume.procurement_count, volume.procurement_value, volume.currency) == (
        THIS_YEAR - 1,
        412,
        Decimal("6135000000.00"),
        "NOK",
    )
    assert volume.recorded_by == admin
    event = AuditEvent.objects.get(action="insight.procurement_volume_recorded")
    assert event.actor == admin
    assert event.organisation == organisation
    assert event.target_id == str(volume.pk)
    assert event.data == {
        "year": THIS_YEAR - 1,
        "old": None,
        "new": {"procurement_count": 412, "procurement_value": "6135000000.00", "currency": "NOK"},
    }


def test_record_procurement_volume_revises_the_same_year_and_audits_old_and_new(actors):
    organisation, admin = actors["organisation"], actors["admin"]
    colleague = AdminMembershipFactory(organisation=organisation).user
    _record(organisation, admin)

    volume = _record(
        organisation, colleague, procurement_count=430, procurement_value=Decimal("6200000000.5")
    )

    assert ProcurementVolume.objects.filter(organisation=organisation).count() == 1
    volume.refresh_from_db()
    assert (volume.procurement_count, volume.procurement_value, volume.recorded_by) == (
        430,
        Decimal("6200000000.50"),
        colleague,
    )
    event = AuditEvent.objects.get(action="insight.procurement_volume_revised")
    assert event.actor == colleague
    assert event.data == {
        "year": THIS_YEAR - 1,
        "old": {"procurement_count": 412, "procurement_value": "6135000000.00", "currency": "NOK"},
        "new": {"procurement_count": 430, "procurement_value": "6200000000.50", "currency": "NOK"},
    }


def test_record_procurement_volume_unchanged_writes_nothing(actors):
    organisation, admin = actors["organisation"], actors["admin"]
    _record(organisation, admin)

    _record(organisation, admin)

    assert AuditEvent.objects.filter(action__startswith="insight.procurement_volume").count() == 1


def test_record_procurement_volume_years_are_separate_rows(actors):
    organisation, admin = actors["organisation"], actors["admin"]

    _record(organisation, admin, year=THIS_YEAR - 2)
    _record(organisation, admin, year=THIS_YEAR + 1)  # a budget for next year

    assert list(
        ProcurementVolume.objects.filter(organisation=organisation).values_list("year", flat=True)
    ) == [
        THIS_YEAR + 1,
        THIS_YEAR - 2,
    ]


@pytest.mark.parametrize(
    "overrides",
    [
        {"year": 1999},
        {"year": THIS_YEAR + 2},
        {"procurement_count": -1},
        {"procurement_value": Decimal("-0.01")},
        {"procurement_value": Decimal("100000000000000")},
        {"currency": "USD"},
    ],
)
def test_record_procurement_volume_refuses_out_of_bounds(actors, overrides):
    with pytest.raises(InsightError):
        _record(actors["organisation"], actors["admin"], **overrides)

    assert not ProcurementVolume.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="insight.").exists()


def test_record_procurement_volume_only_for_buyers(actors):
    with pytest.raises(InsightError):
        _record(actors["supplier_organisation"], actors["supplier"])


def test_record_procurement_volume_accepts_the_bounds(actors):
    _record(actors["organisation"], actors["admin"], year=2000, procurement_count=0, procurement_value=0)

    assert ProcurementVolume.objects.get().procurement_value == Decimal("0.00")


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("6 135 000 000", Decimal("6135000000")),
        ("6\u00a0135\u00a0000,50", Decimal("6135000.50")),
        ("1,250,000.50", Decimal("1250000.50")),
        ("1.250.000,50", Decimal("1250000.50")),
        ("1.250.000", Decimal("1250000")),
        ("1,250", Decimal("1250")),
        ("1.250", Decimal("1250")),
        ("12.500", Decimal("12500")),
        ("1250.5", Decimal("1250.5")),
        ("1250,50", Decimal("1250.50")),
        ("1250,5", Decimal("1250.5")),
        ("1250.75", Decimal("1250.75")),
    ],
)
def test_amount_field_reads_amounts_as_people_type_them(typed, value):
    assert AmountField(max_digits=16, decimal_places=2).clean(typed) == value


# The page


def test_admin_records_a_year_from_the_page(client, actors):
    client.force_login(actors["admin"])

    response = client.post(_url(actors["organisation"]), _post_data())

    assert response.status_code == 302
    volume = ProcurementVolume.objects.get(organisation=actors["organisation"])
    assert (volume.procurement_count, volume.procurement_value) == (412, Decimal("6135000000.00"))
    page = client.get(response["Location"]).content.decode()
    assert f"The figures for {THIS_YEAR - 1} have been saved." in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"year": "1999"}, f"Give a year between 2000 and {THIS_YEAR + 1}."),
        ({"year": str(THIS_YEAR + 2)}, f"Give a year between 2000 and {THIS_YEAR + 1}."),
        ({"year": "last year"}, "Enter a whole number."),
        ({"procurement_count": "-3"}, "Ensure this value is greater than or equal to 0."),
        ({"procurement_value": "-5"}, "Ensure this value is greater than or equal to 0."),
        ({"procurement_value": "a lot"}, "Enter a number."),
        ({"procurement_value": "100000000000000"}, "no more than 14 digits before the decimal point"),
        ({"currency": "USD"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_the_typed_values_kept(client, actors, overrides, message):
    client.force_login(actors["admin"])
    data = _post_data(**overrides)

    response = client.post(_url(actors["organisation"]), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    for name in ("year", "procurement_count", "procurement_value"):
        assert f'value="{data[name]}"' in page
    assert not ProcurementVolume.objects.exists()


def test_page_lists_every_year_newest_first_with_who_and_when(client, actors):
    organisation = actors["organisation"]
    recorder = actors["admin"]
    ProcurementVolumeFactory(organisation=organisation, year=THIS_YEAR - 3, recorded_by=recorder)
    ProcurementVolumeFactory(organisation=organisation, year=THIS_YEAR - 1, recorded_by=recorder)
    ProcurementVolumeFactory(organisation=organisation, year=THIS_YEAR - 2, procurement_count=321)
    ProcurementVolumeFactory(year=THIS_YEAR - 1, procurement_count=999)  # another organisation's
    client.force_login(actors["member"])

    page = client.get(_url(organisation)).content.decode()

    positions = [
        page.index(f'<th scope="row">{year}</th>') for year in (THIS_YEAR - 1, THIS_YEAR - 2, THIS_YEAR - 3)
    ]
    assert positions == sorted(positions)
    assert "321" in page
    assert "999" not in page
    assert recorder.full_name in page
    assert "Record a year" not in page  # members read only


def test_change_link_fills_in_the_year(client, actors):
    ProcurementVolumeFactory(
        organisation=actors["organisation"], year=THIS_YEAR - 2, procurement_count=321, currency="SEK"
    )
    client.force_login(actors["admin"])

    page = client.get(_url(actors["organisation"]), {"year": THIS_YEAR - 2}).content.decode()

    assert 'value="321"' in page
    assert '<option value="SEK" selected>' in page


def test_first_figures_suggest_the_country_currency(client, actors):
    client.force_login(actors["admin"])  # the organisation is Norwegian

    page = client.get(_url(actors["organisation"])).content.decode()

    assert '<option value="NOK" selected>' in page
    assert f'value="{THIS_YEAR - 1}"' in page


# Who may see and record


GRID = [
    ("anonymous", 302, 302),
    ("member", 200, 404),
    ("admin", 200, 302),
    ("other_admin", 404, 404),
    ("supplier", 404, 404),
    ("staff", 200, 404),
]


@pytest.mark.parametrize(("actor", "get_status", "post_status"), GRID)
def test_volume_page_access(client, actors, actor, get_status, post_status):
    if user := actors[actor]:
        client.force_login(user)
    url = _url(actors["organisation"])

    assert client.get(url).status_code == get_status
    response = client.post(url, _post_data())

    assert response.status_code == post_status
    if actor == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    assert ProcurementVolume.objects.exists() == (actor == "admin")


def test_volume_page_of_a_supplier_organisation_is_a_404_even_to_its_admin(client, actors):
    client.force_login(actors["supplier"])

    assert client.get(_url(actors["supplier_organisation"])).status_code == 404


def test_form_shows_only_to_admins(client, actors):
    client.force_login(actors["staff"])

    page = client.get(_url(actors["organisation"])).content.decode()

    assert "Record a year" not in page


@pytest.mark.parametrize("rows", [1, 6])
def test_volume_page_query_count(client, django_assert_num_queries, actors, rows):
    organisation = actors["organisation"]
    for year in range(THIS_YEAR - rows, THIS_YEAR):
        ProcurementVolumeFactory(organisation=organisation, year=year, recorded_by=MembershipFactory().user)
    client.force_login(actors["admin"])

    # session, user, roles (the header's memberships too), organisation, volumes (with who recorded them);
    # the header's unread notifications
    with django_assert_num_queries(6):
        response = client.get(_url(organisation))

    assert response.status_code == 200
