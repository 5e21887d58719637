from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    BUYER = "buyer", _("Public buyer (city, municipality, agency)")
    SUPPLIER = "supplier", _("Supplier")
    PROGRAMME = "programme", _("Programme or intermediary")


class SMESize(models.TextChoices):
    """The EU SME size classes (Commission Recommendation 2003/361/EC)."""

    MICRO = "micro", _("Micro (fewer than 10 staff)")
    SMALL = "small", _("Small (fewer than 50 staff)")
    MEDIUM = "medium", _("Medium (fewer than 250 staff)")
    LARGE = "large", _("Large (250 staff or more)")


class MembershipRole(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MEMBER = "member", _("Member")
