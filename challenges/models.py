from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import (
    PUBLIC_STATUSES,
    ChallengeStatus,
    ClarificationStatus,
    CoachCategory,
    Currency,
    ProcurementRoute,
    ReviewDecision,
    ScoringScale,
    StatementLanguage,
)


def known_zone(name: str | None) -> ZoneInfo:
    """The named time zone, or UTC if the name is empty or unknown, so a bad value never breaks a page."""
    try:
        return ZoneInfo(str(name or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


class CPVCode(models.Model):
    """A Common Procurement Vocabulary (2008) code: 8 digits without the check digit."""

    code = models.CharField(_("code"), max_length=8, primary_key=True)
    label = models.CharField(_("label"), max_length=300)

    class Meta:
        verbose_name = _("CPV code")
        verbose_name_plural = _("CPV codes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def division(self) -> str:
        return self.code[:2]


class Theme(models.Model):
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_nb = models.CharField(_("name (Norwegian Bokmål)"), max_length=100)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["name_en"]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.name_nb if (get_language() or "").startswith("nb") else self.name_en


# Public: in a public status and published at some point (a draft cancelled before review stays private).
PUBLIC_Q = Q(status__in=PUBLIC_STATUSES, published_at__isnull=False)


class ChallengeQuerySet(models.QuerySet):
    def public(self) -> "ChallengeQuerySet":
        return self.filter(PUBLIC_Q)

    def visible_to(self, user) -> "ChallengeQuerySet":
        """Published and later challenges for everyone; drafts and reviews for the owning organisation's
        members and programme staff."""
        if not user.is_authenticated:
            return self.public()
        if user.is_programme_staff:
            return self.filter(
                PUBLIC_Q | Q(status=ChallengeStatus.IN_REVIEW) | Q(owner_id__in=user.organisation_ids)
            )
        return self.filter(PUBLIC_Q | Q(owner_id__in=user.organisation_ids))

    def open_for_proposals(self) -> "ChallengeQuerySet":
        return self.filter(status=ChallengeStatus.PUBLISHED, submission_deadline__gt=timezone.now())


class Challenge(models.Model):
    """A needs-based challenge statement owned by a buying organisation."""

    owner = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="challenges", verbose_name=_("buyer")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ChallengeStatus.choices, default=ChallengeStatus.DRAFT
    )
    language = models.CharField(
        _("language of the statement"),
        max_length=5,
        choices=StatementLanguage.choices,
        default=StatementLanguage.EN,
    )

    # The need
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("short summary"), max_length=500, blank=True)
    current_situation = models.TextField(_("today's situation"), blank=True)
    affected = models.TextField(_("who is affected and how"), blank=True)
    why_now = models.TextField(_("why it matters now"), blank=True)

    # Constraints
    constraints = models.TextField(
        _("constraints and must-haves"),
        blank=True,
        help_text=_("Legal, data protection, accessibility, interoperability and other requirements."),
    )
    out_of_scope = models.TextField(_("out of scope"), blank=True)

    # Practicalities
    budget_min = models.DecimalField(_("budget from"), max_digits=14, decimal_places=2, null=True, blank=True)
    budget_max = models.DecimalField(
        _("budget up to"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR)
    questions_deadline = models.DateTimeField(_("deadline for questions"), null=True, blank=True)
    submission_deadline = models.DateTimeField(_("deadline for proposals"), null=True, blank=True)
    deadline_timezone = models.CharField(
        _("time zone of the deadlines"), max_length=64, default="Europe/Oslo"
    )
    decision_date = models.DateField(_("expected decision date"), null=True, blank=True)
    pilot_start = models.DateField(_("pilot starts"), null=True, blank=True)
    pilot_end = models.DateField(_("pilot ends"), null=True, blank=True)
    route = models.CharField(
        _("procurement route"),
        max_length=30,
        choices=ProcurementRoute.choices,
        default=ProcurementRoute.COMPETITIVE_DIALOGUE,
    )
    cpv_codes = models.ManyToManyField(
        CPVCode, blank=True, related_name="challenges", verbose_name=_("CPV codes")
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="challenges", verbose_name=_("themes"))
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    is_innovative = models.BooleanField(
        _("innovative procurement"),
        default=True,
        help_text=_("The procurement buys an innovation (EU eForms BT-776)."),
    )

    # Evaluation
    scoring_scale = models.PositiveSmallIntegerField(
        _("scoring scale"), choices=ScoringScale.choices, default=ScoringScale.ZERO_TO_FIVE
    )

    # Lifecycle
    submitted_for_review_at = models.DateTimeField(null=True, blank=True)
    submitted_for_review_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        ordering = ["-published_at", "-created_at"]
        indexes = [
            models.Index(fields=["status", "submission_deadline"], name="challenge_status_deadline"),
            models.Index(fields=["owner", "status"], name="challenge_owner_status"),
            # The open-data list and feed, newest first: a deep page walks the index instead of sorting
            # every public challenge.
            models.Index(fields=["-published_at", "-id"], name="challenge_published_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_min__isnull=True)
                | Q(budget_max__isnull=True)
                | Q(budget_min__lte=models.F("budget_max")),
                name="challenge_budget_min_not_above_max",
            ),
            models.CheckConstraint(
                condition=Q(questions_deadline__isnull=True)
                | Q(submission_deadline__isnull=True)
                | Q(questions_deadline__lte=models.F("submission_deadline")),
                name="challenge_questions_before_submission",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("challenges:challenge-detail", kwargs={"pk": self.pk})

    @property
    def deadline_zone(self) -> ZoneInfo:
        """The time zone the deadlines are typed and shown in."""
        return known_zone(self.deadline_timezone)

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES and self.published_at is not None

    @property
    def is_open(self) -> bool:
        """Open for proposals: published and before the deadline (whatever the closing task has done)."""
        return (
            self.status == ChallengeStatus.PUBLISHED
            and self.submission_deadline is not None
            and self.submission_deadline > timezone.now()
        )

    @property
    def display_status(self) -> str:
        """The status readers see: a published challenge past its deadline is closed, whether or not the
        closing task has run yet (it runs every 30 seconds; the deadline holds to the second)."""
        if self.status == ChallengeStatus.PUBLISHED and not self.is_open:
            return ChallengeStatus.CLOSED
        return self.status

    @property
    def display_status_label(self) -> str:
        return ChallengeStatus(self.display_status).label

    @property
    def accepts_questions(self) -> bool:
        deadline = self.questions_deadline or self.submission_deadline
        return self.status == ChallengeStatus.PUBLISHED and deadline is not None and deadline > timezone.now()


class Outcome(models.Model):
    """A desired outcome with a measurable indicator and its target."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="outcomes")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(_("outcome"))
    indicator = models.CharField(_("indicator"), max_length=300)
    baseline = models.CharField(_("baseline today"), max_length=200, blank=True)
    target = models.CharField(_("target"), max_length=200)

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        ordering = ["challenge", "position", "pk"]

    def __str__(self) -> str:
        return self.description[:80]


class Criterion(models.Model):
    """A published evaluation criterion. Frozen once the challenge is published."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("criterion"), max_length=200)
    description = models.TextField(_("what evaluators look for"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight (%)"))

    class Meta:
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")
        ordering = ["challenge", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=100), name="criterion_weight_1_to_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight} %)"


def challenge_document_path(instance: "ChallengeDocument", filename: str) -> str:
    # Stored under a generated name; the original name is kept in the database only.
    import uuid

    return f"challenges/{instance.challenge_id}/{uuid.uuid4().hex}"


class ChallengeDocument(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=challenge_document_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["challenge", "created_at"]

    def __str__(self) -> str:
        return self.title


class Review(models.Model):
    """A reviewer's decision on a challenge in review: approved (published) or returned with comments."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=ReviewDecision.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.challenge}: {self.decision}"


class Amendment(models.Model):
    """A dated, visible change to a published challenge."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="amendments")
    summary = models.TextField(_("what changed and why"))
    changes = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["challenge", "created_at"]

    def __str__(self) -> str:
        return f"{self.challenge}: {self.created_at:%Y-%m-%d}"


class Clarification(models.Model):
    """A supplier's question and the buyer's answer. Public ones show the question without the asker."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="clarifications")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    asked_by_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    question = models.TextField(_("question"))
    public_question = models.TextField(
        _("question as published"),
        blank=True,
        help_text=_("Edited to remove anything that identifies the asker."),
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=ClarificationStatus.choices, default=ClarificationStatus.PENDING
    )
    asked_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("clarification")
        verbose_name_plural = _("clarifications")
        ordering = ["challenge", "asked_at"]

    def __str__(self) -> str:
        return self.question[:80]


class Follow(models.Model):
    """A user follows a challenge or a buying organisation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(challenge__isnull=False) & Q(organisation__isnull=True))
                | (Q(challenge__isnull=True) & Q(organisation__isnull=False)),
                name="follow_exactly_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "challenge"],
                condition=Q(challenge__isnull=False),
                name="follow_challenge_once",
            ),
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=Q(organisation__isnull=False),
                name="follow_organisation_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.challenge or self.organisation}"


class SavedSearch(models.Model):
    """A supplier's saved search; newly published challenges that match it are notified."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("search words"), max_length=200, blank=True)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        ordering = ["user", "name"]

    def __str__(self) -> str:
        return self.name


class CoachRule(models.Model):
    """A phrase the needs-not-solutions coach flags, per language, with how to restate it as a need.
    Data, edited by programme staff."""

    language = models.CharField(_("language"), max_length=5, choices=StatementLanguage.choices)
    category = models.CharField(_("category"), max_length=20, choices=CoachCategory.choices)
    phrase = models.CharField(
        _("phrase"),
        max_length=100,
        help_text=_("Matched as whole words, ignoring case. End with * to match any ending (e.g. sensor*)."),
    )
    explanation = models.TextField(_("why it is flagged"))
    suggestion = models.TextField(_("how to restate it as a need"))
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("coach rule")
        verbose_name_plural = _("coach rules")
        ordering = ["language", "category", "phrase"]
        constraints = [
            models.UniqueConstraint(fields=["language", "phrase"], name="coach_rule_unique_phrase")
        ]

    def __str__(self) -> str:
        return f"[{self.language}] {self.phrase}"
