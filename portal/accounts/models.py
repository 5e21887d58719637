import hashlib
import secrets
from datetime import timedelta
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .enums import MembershipRole, OrganisationKind, SMESize


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """One person. Logs in by email; acts for one organisation at a time."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the mails the portal sends you."),
    )
    is_programme_staff = models.BooleanField(
        _("programme staff"),
        default=False,
        help_text=_("Runs the programme: exchanges, moderation and dashboards. Requires two-factor sign-in."),
    )
    is_staff = models.BooleanField(
        _("Django admin access"), default=False, help_text=_("May sign in to the technical admin site.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @cached_property
    def membership_rows(self) -> list["Membership"]:
        """The memberships with their organisations, by organisation name: read once per request (one
        query), and shared by everything that asks: the permission predicates (through the properties
        below), the header's organisation switcher and the active organisation
        (portal.accounts.selectors.memberships_for_request). A request reads its user afresh, so the rows
        are never older than the request; forget_organisation_roles() drops them after a change."""
        return list(
            Membership.objects.filter(user=self).select_related("organisation").order_by("organisation__name")
        )

    @property
    def organisation_memberships(self) -> list[tuple[int, str, str]]:
        """[(organisation id, role, organisation kind)], from membership_rows: permission predicates run
        no queries of their own."""
        return [(row.organisation_id, row.role, row.organisation.kind) for row in self.membership_rows]

    @property
    def organisation_roles(self) -> dict[int, str]:
        """{organisation id: role}."""
        return {organisation_id: role for organisation_id, role, _kind in self.organisation_memberships}

    @property
    def organisation_ids(self) -> set[int]:
        return {organisation_id for organisation_id, _role, _kind in self.organisation_memberships}

    @property
    def supplier_organisation_ids(self) -> set[int]:
        return {pk for pk, _role, kind in self.organisation_memberships if kind == "supplier"}

    @property
    def buyer_organisation_ids(self) -> set[int]:
        return {pk for pk, _role, kind in self.organisation_memberships if kind == "buyer"}

    def forget_organisation_roles(self) -> None:
        self.__dict__.pop("membership_rows", None)


# Letters that slugify() would drop rather than spell in ASCII ("Bærum" would become "brum").
_SLUG_LETTERS = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "ß": "ss", "þ": "th", "ð": "d"})


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "OrganisationQuerySet":
        """The organisations whose private pages a user may open: their own; programme staff see all."""
        if not user.is_authenticated:
            return self.none()
        if user.is_programme_staff:
            return self
        return self.filter(pk__in=user.organisation_ids)


class Organisation(models.Model):
    """A public buyer, a supplier or a programme/intermediary."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    sme_size = models.CharField(
        _("size class"),
        max_length=10,
        choices=SMESize.choices,
        blank=True,
        help_text=_("For suppliers: the EU SME size class."),
    )
    country = CountryField(_("country"))
    region = models.CharField(_("region"), max_length=120, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    identifier = models.CharField(
        _("organisation identifier"),
        max_length=64,
        blank=True,
        help_text=_("For example the national business or organisation number."),
    )
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind=OrganisationKind.SUPPLIER) & ~models.Q(sme_size=""))
                | (~models.Q(kind=OrganisationKind.SUPPLIER) & models.Q(sme_size="")),
                name="organisation_size_class_only_for_suppliers",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:organisation-detail", kwargs={"slug": self.slug})

    @property
    def is_buyer(self) -> bool:
        return self.kind == OrganisationKind.BUYER

    @property
    def is_supplier(self) -> bool:
        return self.kind == OrganisationKind.SUPPLIER

    @classmethod
    def unique_slug_for(cls, name: str) -> str:
        base = slugify(name.translate(_SLUG_LETTERS))[:70].strip("-") or "organisation"
        slug, n = base, 1
        while cls.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        return slug


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(
        _("role"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name", "user__full_name"]
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == MembershipRole.ADMIN


def invitation_lifetime() -> timedelta:
    return timedelta(days=14)


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> "InvitationQuerySet":
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An invitation by email to join an organisation in a role. Only the token's digest is stored."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(
        _("role"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "organisation",
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @staticmethod
    def new_token() -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, Invitation.digest(token)

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()
