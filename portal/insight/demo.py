"""Demo data for the insight app: the demo's programme organisation follows the demo buyers with a 10%
target; each buyer has recorded its procurement volumes for this year and the two before; five of them have
assessed their capabilities for the last two years, so the programme comparison shows (it needs three
other organisations). Uses the demo users and organisations of portal/web/demo.py. Loading twice changes
nothing: figures that exist are left as they are."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from challenges.casestudies.enums import Capability
from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation, User

from .models import CapabilityAssessment, ProcurementVolume, Programme
from .services import record_procurement_volume, submit_capability_assessment

PROGRAMME_NAME = "BUILD staff exchange programme"
# city: (currency, [(count, value) for the years two and one ago and this year]): the dashboard's default
# period, so the demo's awards of this year show as a share.
VOLUMES = {
    "Trondheim": ("NOK", [(418, "5820000000"), (446, "6135000000"), (471, "6410000000")]),
    "Bergen": ("NOK", [(503, "7940000000"), (528, "8310000000"), (557, "8825000000")]),
    "Turku": ("EUR", [(312, "518000000"), (327, "546000000"), (341, "571000000")]),
    "Tartu": ("EUR", [(176, "94500000"), (188, "101200000"), (203, "108900000")]),
    "Rotterdam": ("EUR", [(912, "2140000000"), (947, "2265000000"), (985, "2390000000")]),
    "Birmingham": ("GBP", [(748, "1215000000"), (771, "1262000000"), (796, "1308000000")]),
}
# city: (last year's levels, this year's levels), in the order of Capability; notes of this year.
ASSESSMENTS = {
    "Turku": ((4, 3, 4, 4, 3, 3), (4, 4, 4, 4, 3, 4), "The innovation unit now trains every new buyer."),
    "Tartu": ((2, 2, 3, 3, 4, 2), (3, 2, 3, 3, 4, 3), "The city council adopted a target for 2027."),
    "Rotterdam": ((4, 4, 3, 4, 3, 3), (5, 4, 4, 4, 3, 4), ""),
    "Trondheim": (
        (2, 3, 2, 1, 3, 2),
        (3, 3, 3, 2, 3, 2),
        "First open market dialogue held (home care sensors). Lessons still live in people's heads.",
    ),
    "Bergen": ((3, 2, 2, 2, 2, 1), (3, 3, 2, 2, 3, 2), "Joined the regional procurement network this year."),
}


def _procurer(city: str) -> User | None:
    return User.objects.filter(email=f"procurer@{city.lower()}.example.org").first()


def _buyer(city: str) -> Organisation | None:
    return Organisation.objects.filter(
        kind=OrganisationKind.BUYER,
        city=city,
        memberships__user__email=f"procurer@{city.lower()}.example.org",
    ).first()


@transaction.atomic
def load_insight_demo() -> Programme | None:
    organisation = Organisation.objects.filter(name=PROGRAMME_NAME, kind=OrganisationKind.PROGRAMME).first()
    if organisation is None:
        return None  # the base demo (portal/web/demo.py) has not been loaded
    programme, _created = Programme.objects.get_or_create(
        organisation=organisation, defaults={"innovative_share_target": Decimal("10")}
    )
    this_year = timezone.localdate().year
    for city, (currency, figures) in VOLUMES.items():
        buyer, procurer = _buyer(city), _procurer(city)
        if buyer is None or procurer is None:
            continue
        programme.buyers.add(buyer)
        for year, (count, value) in zip(range(this_year - 2, this_year + 1), figures, strict=True):
            if ProcurementVolume.objects.filter(organisation=buyer, year=year).exists():
                continue
            record_procurement_volume(
                organisation=buyer,
                year=year,
                procurement_count=count,
                procurement_value=Decimal(value),
                currency=currency,
                by=procurer,
            )
    for city, (last_year, current, notes) in ASSESSMENTS.items():
        buyer, procurer = _buyer(city), _procurer(city)
        if buyer is None or procurer is None:
            continue
        for year, levels, text in ((this_year - 1, last_year, ""), (this_year, current, notes)):
            if CapabilityAssessment.objects.filter(organisation=buyer, year=year).exists():
                continue
            submit_capability_assessment(
                organisation=buyer,
                year=year,
                levels=dict(zip(Capability.values, levels, strict=True)),
                notes=text,
                by=procurer,
            )
    return programme
