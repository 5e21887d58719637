"""Case studies: what a buyer learnt from a challenge that ended (awarded, not awarded or cancelled), or
what an exchange's participants learnt (written from a published reflection report), for other cities."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from challenges.enums import ProcurementRoute

from .enums import Capability, CaseOutcome, CaseSource, CaseStudyStatus


class CaseStudyQuerySet(models.QuerySet):
    def published(self) -> "CaseStudyQuerySet":
        return self.filter(status=CaseStudyStatus.PUBLISHED)

    def visible_to(self, user) -> "CaseStudyQuerySet":
        """Published case studies for everyone; drafts for programme staff, and a challenge's drafts for
        the owning organisation's members (an exchange's draft is managed by staff only, like the reflection
        report it comes from). As the rule casestudies.view_case_study."""
        if not user.is_authenticated:
            return self.published()
        if user.is_programme_staff:
            return self.all()
        return self.filter(
            Q(status=CaseStudyStatus.PUBLISHED)
            | Q(owner_id__in=user.organisation_ids, source=CaseSource.CHALLENGE)
        )


class CaseStudy(models.Model):
    source = models.CharField(_("source"), max_length=10, choices=CaseSource.choices)
    owner = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="case_studies",
        verbose_name=_("organisation"),
    )
    challenge = models.OneToOneField(
        "challenges.Challenge",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_study",
        verbose_name=_("challenge"),
    )
    title = models.CharField(_("title"), max_length=200)
    need = models.TextField(_("the need"), help_text=_("The problem the organisation set out to solve."))
    route = models.CharField(_("route chosen"), max_length=30, choices=ProcurementRoute.choices, blank=True)
    market_engagement = models.TextField(
        _("market engagement"), blank=True, help_text=_("How you met and talked with the market.")
    )
    result = models.TextField(_("what was bought or learnt"), blank=True)
    outcome_against_indicators = models.TextField(
        _("outcome against the indicators"),
        blank=True,
        help_text=_("For each outcome you set out to reach: what the indicator showed."),
    )
    lessons = models.TextField(_("lessons learnt"), blank=True, help_text=_("One lesson per line."))
    would_do_differently = models.TextField(_("what we would do differently"), blank=True)
    contacts = models.TextField(
        _("contacts willing to talk"),
        blank=True,
        help_text=_("Names and work addresses of people who agreed to be contacted by other cities."),
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=CaseOutcome.choices)
    capability = models.CharField(
        _("capability it illustrates most"),
        max_length=30,
        choices=Capability.choices,
        blank=True,
        help_text=_("Organisations that rate this capability low in their self-assessment are pointed here."),
    )
    themes = models.ManyToManyField(
        "challenges.Theme", blank=True, related_name="case_studies", verbose_name=_("themes")
    )
    cpv_codes = models.ManyToManyField(
        "challenges.CPVCode", blank=True, related_name="case_studies", verbose_name=_("CPV codes")
    )
    country = CountryField(_("country"))
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStudyStatus.choices, default=CaseStudyStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseStudyQuerySet.as_manager()

    class Meta:
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source=CaseSource.EXCHANGE, challenge__isnull=True, outcome=CaseOutcome.EXCHANGE)
                | (
                    Q(source=CaseSource.CHALLENGE, challenge__isnull=False) & ~Q(outcome=CaseOutcome.EXCHANGE)
                ),
                name="case_study_source_matches",
            ),
            models.CheckConstraint(
                condition=Q(status=CaseStudyStatus.DRAFT) | Q(published_at__isnull=False),
                name="case_study_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("casestudies:case-study-detail", kwargs={"pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == CaseStudyStatus.PUBLISHED

    @property
    def lesson_list(self) -> list[str]:
        return [line.strip().lstrip("-•").strip() for line in self.lessons.splitlines() if line.strip()]
