"""What the programme dashboard measures beyond what the feature apps record: which buying organisations
a programme follows and its target for the innovative share; each buyer's total procurement per year (the
share's denominator); and each buyer's yearly capability self-assessment."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from challenges.casestudies.enums import Capability
from challenges.enums import Currency

MATURITY_MIN, MATURITY_MAX = 1, 5
FIRST_YEAR, LAST_YEAR = 2000, 2100


class Programme(models.Model):
    """A programme organisation's dashboard settings: the buying organisations it follows and its target
    for the innovative share of their procurement."""

    organisation = models.OneToOneField(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="insight_programme",
        verbose_name=_("programme organisation"),
        limit_choices_to={"kind": "programme"},
    )
    buyers = models.ManyToManyField(
        "accounts.Organisation",
        blank=True,
        related_name="insight_programmes",
        verbose_name=_("buying organisations"),
        limit_choices_to={"kind": "buyer"},
    )
    innovative_share_target = models.DecimalField(
        _("target for the innovative share (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("The share of procurement, by count and by value, that should be innovative."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["organisation__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(innovative_share_target__gte=0) & Q(innovative_share_target__lte=100),
                name="programme_target_is_percentage",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation)

    def get_absolute_url(self) -> str:
        return reverse("insight:dashboard", kwargs={"slug": self.organisation.slug})


class ProcurementVolume(models.Model):
    """A buying organisation's total number and value of procurements in a year: the denominator of the
    innovative share. Each change is in the audit log."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="procurement_volumes",
        verbose_name=_("organisation"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    procurement_count = models.PositiveIntegerField(_("number of procurements"))
    procurement_value = models.DecimalField(
        _("total value of procurements"),
        max_digits=16,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("procurement volume")
        verbose_name_plural = _("procurement volumes")
        ordering = ["organisation", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="procurement_volume_once_a_year"),
            models.CheckConstraint(condition=Q(procurement_value__gte=0), name="procurement_value_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"


def _maturity_field(capability: Capability) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        capability.label, validators=[MinValueValidator(MATURITY_MIN), MaxValueValidator(MATURITY_MAX)]
    )


class CapabilityAssessment(models.Model):
    """A buying organisation's yearly self-assessment: each FORAN capability on a maturity scale of 1 to
    5 (the levels are described in insight.capabilities)."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="capability_assessments",
        verbose_name=_("organisation"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    management_anchoring = _maturity_field(Capability.MANAGEMENT_ANCHORING)
    competence = _maturity_field(Capability.COMPETENCE)
    internal_collaboration = _maturity_field(Capability.INTERNAL_COLLABORATION)
    supplier_dialogue = _maturity_field(Capability.SUPPLIER_DIALOGUE)
    municipal_collaboration = _maturity_field(Capability.MUNICIPAL_COLLABORATION)
    systematic_learning = _maturity_field(Capability.SYSTEMATIC_LEARNING)
    notes = models.TextField(_("notes"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("capability assessment")
        verbose_name_plural = _("capability assessments")
        ordering = ["organisation", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"], name="capability_assessment_once_a_year"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{key}__gte": MATURITY_MIN, f"{key}__lte": MATURITY_MAX}),
                    name=f"capability_{key}_in_scale",
                )
                for key in Capability.values
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"

    def levels(self) -> dict[str, int]:
        """{capability key: level}."""
        return {key: getattr(self, key) for key in Capability.values}
