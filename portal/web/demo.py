"""The demo data set: cities that run the BUILD and FORAN programmes, a handful of SMEs, an intermediary,
and one login per role. Loading twice changes nothing."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction

from portal.accounts.enums import MembershipRole, OrganisationKind, SMESize
from portal.accounts.models import Membership, Organisation, User

DEMO_PASSWORD = "demo-portal-2026"  # noqa: S105 - printed on purpose: demo accounts only
# A fixed secret so the demo's programme staff login can be used with any authenticator app.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPDEMOPORTALTWOFAB"  # noqa: S105

BUYERS = [
    ("Turku", "FI", "Southwest Finland", "Turun kaupunki / City of Turku"),
    ("Tartu", "EE", "Tartu County", "Tartu linn / City of Tartu"),
    ("Rotterdam", "NL", "South Holland", "Gemeente Rotterdam"),
    ("Trondheim", "NO", "Trøndelag", "Trondheim kommune"),
    ("Bergen", "NO", "Vestland", "Bergen kommune"),
    ("Birmingham", "GB", "West Midlands", "Birmingham City Council"),
]

SUPPLIERS = [
    ("Fjordlys Analytics AS", "NO", "Vestland", "Bergen", SMESize.MICRO),
    ("Kotiapu Digital Oy", "FI", "Southwest Finland", "Turku", SMESize.SMALL),
    ("Emajõe Robotics OÜ", "EE", "Tartu County", "Tartu", SMESize.SMALL),
    ("Maasbouw Circulair B.V.", "NL", "South Holland", "Rotterdam", SMESize.MEDIUM),
    ("Canal Street Care Tech Ltd", "GB", "West Midlands", "Birmingham", SMESize.MICRO),
]


@dataclass
class DemoLogin:
    role: str
    email: str
    organisation: str
    note: str = ""


def _user(email: str, full_name: str, *, language: str = "en", **flags) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": full_name, "language": language, **flags}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"primary": True, "verified": True})
    return user


def _organisation(
    name: str, *, kind: str, country: str, region: str, city: str, sme_size: str = ""
) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(
        name=name,
        defaults={
            "slug": Organisation.unique_slug_for(name),
            "kind": kind,
            "country": country,
            "region": region,
            "city": city,
            "sme_size": sme_size,
        },
    )
    return organisation


def _member(user: User, organisation: Organisation, role: str) -> None:
    Membership.objects.get_or_create(user=user, organisation=organisation, defaults={"role": role})


@transaction.atomic
def load_demo() -> list[DemoLogin]:
    logins: list[DemoLogin] = []
    buyers = {}
    for city, country, region, name in BUYERS:
        organisation = _organisation(
            name, kind=OrganisationKind.BUYER, country=country, region=region, city=city
        )
        buyers[city] = organisation
        slug = city.lower()
        language = "nb" if country == "NO" else "en"
        _member(
            _user(f"procurer@{slug}.example.org", f"Procurer in {city}", language=language),
            organisation,
            MembershipRole.ADMIN,
        )
        _member(
            _user(f"colleague@{slug}.example.org", f"Colleague in {city}", language=language),
            organisation,
            MembershipRole.MEMBER,
        )
    logins.append(
        DemoLogin("Procurer (buyer admin)", "procurer@trondheim.example.org", buyers["Trondheim"].name)
    )
    logins.append(
        DemoLogin("Procurer (buyer member)", "colleague@trondheim.example.org", buyers["Trondheim"].name)
    )

    for index, (name, country, region, city, size) in enumerate(SUPPLIERS):
        organisation = _organisation(
            name, kind=OrganisationKind.SUPPLIER, country=country, region=region, city=city, sme_size=size
        )
        user = _user(f"sme{index + 1}@suppliers.example.org", f"Founder of {name.split()[0]}")
        _member(user, organisation, MembershipRole.ADMIN)
        if index == 0:
            logins.append(DemoLogin("SME (supplier admin)", user.email, organisation.name))

    programme = _organisation(
        "BUILD staff exchange programme",
        kind=OrganisationKind.PROGRAMME,
        country="NL",
        region="",
        city="Rotterdam",
    )
    staff = _user("staff@programme.example.org", "Programme Coordinator", is_programme_staff=True)
    _member(staff, programme, MembershipRole.ADMIN)
    if not Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(staff, DEMO_TOTP_SECRET)
    logins.append(
        DemoLogin(
            "Programme staff (two-factor)",
            staff.email,
            programme.name,
            f"authenticator secret {DEMO_TOTP_SECRET}, or run: .venv/bin/python manage.py demo_totp_code",
        )
    )

    admin = _user("admin@programme.example.org", "Site Administrator", is_staff=True, is_superuser=True)
    logins.append(DemoLogin("Django admin (operators)", admin.email, "—", "at /django-admin/"))
    from exchanges.demo import load_exchange_demo  # the staff exchanges' Turku → Tartu → Rotterdam series

    load_exchange_demo()
    return logins
