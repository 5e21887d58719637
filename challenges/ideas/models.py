"""Citizen ideas: a resident's problem statement for their city, with supports from other residents. The
city's procurers moderate ideas and may turn one into a challenge draft; the link is kept, and the idea's
supporters are told when that challenge is published."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from challenges.enums import ChallengeStatus, StatementLanguage

from .enums import IdeaStatus

# What residents may write: enough for a problem statement, not for a pasted document.
PROBLEM_MAX_LENGTH = 5_000
AFFECTED_MAX_LENGTH = 2_000

# The ideas the public sees: published ones, and ones merged into another idea after they had been
# published (a merged idea's page points to the idea it joined). A pending idea merged as a duplicate was
# never approved, so its text stays private.
PUBLIC_Q = Q(status=IdeaStatus.PUBLISHED) | Q(status=IdeaStatus.MERGED, published_at__isnull=False)


class IdeaQuerySet(models.QuerySet):
    def public(self) -> "IdeaQuerySet":
        return self.filter(PUBLIC_Q)

    def visible_to(self, user) -> "IdeaQuerySet":
        """Public ideas (PUBLIC_Q) for everyone; one's own ideas in any status; every idea addressed
        to a city for that city's members; everything for programme staff."""
        if not user.is_authenticated:
            return self.public()
        if user.is_programme_staff:
            return self.all()
        return self.filter(PUBLIC_Q | Q(author=user) | Q(city_id__in=user.buyer_organisation_ids))


class Idea(models.Model):
    city = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="citizen_ideas",
        verbose_name=_("city or municipality"),
    )
    # Erasing a resident's account keeps their idea (and its supports) but not who wrote it.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="citizen_ideas",
        verbose_name=_("author"),
    )
    display_name = models.CharField(
        _("name shown with your idea"),
        max_length=60,
        help_text=_(
            "Shown publicly instead of your name and email address; a first name or a nickname is enough."
        ),
    )
    title = models.CharField(_("title"), max_length=150)
    problem = models.TextField(
        _("the problem you see"),
        max_length=PROBLEM_MAX_LENGTH,
        help_text=_("Describe what goes wrong today and where, not how to fix it."),
    )
    affected = models.TextField(_("who is affected and how"), max_length=AFFECTED_MAX_LENGTH, blank=True)
    location = models.CharField(_("where in the city"), max_length=150, blank=True)
    themes = models.ManyToManyField(
        "challenges.Theme", blank=True, related_name="citizen_ideas", verbose_name=_("themes")
    )
    # The language the idea was written in (the page's language at submission): the coach reads it with
    # that language's rules, and a challenge drafted from it starts in it.
    language = models.CharField(
        _("language"), max_length=5, choices=StatementLanguage.choices, default=StatementLanguage.EN
    )
    status = models.CharField(
        _("status"), max_length=10, choices=IdeaStatus.choices, default=IdeaStatus.PENDING
    )
    rejection_reason = models.TextField(_("reason"), blank=True, help_text=_("Shown to the author."))
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_ideas",
        verbose_name=_("merged into"),
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    # When the idea was first published. Kept when it is later merged, taken down or withdrawn: the status
    # says whether it is public now (PUBLIC_Q), this says whether it ever was.
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    challenge = models.ForeignKey(
        "challenges.Challenge",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_ideas",
        verbose_name=_("challenge"),
    )
    converted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    converted_at = models.DateTimeField(_("turned into a challenge"), null=True, blank=True)
    # Claimed (a conditional UPDATE) by the task that tells supporters the challenge was published.
    supporters_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IdeaQuerySet.as_manager()

    class Meta:
        verbose_name = _("citizen idea")
        verbose_name_plural = _("citizen ideas")
        ordering = [F("published_at").desc(nulls_last=True), "-created_at"]
        indexes = [
            models.Index(fields=["city", "status"], name="idea_city_status"),
            # The submission limits count a person's recent ideas.
            models.Index(fields=["author", "created_at"], name="idea_author_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=IdeaStatus.MERGED, merged_into__isnull=False)
                | (~Q(status=IdeaStatus.MERGED) & Q(merged_into__isnull=True)),
                name="idea_merged_has_target",
            ),
            models.CheckConstraint(
                condition=~Q(status=IdeaStatus.REJECTED) | ~Q(rejection_reason=""),
                name="idea_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ideas:idea-detail", kwargs={"pk": self.pk})

    @property
    def audit_label(self) -> str:
        # The audit log is append-only: it keeps no resident-written text (a title may name a person, and
        # operators redact such details from the idea, never from the log).
        return f"idea {self.pk}"

    @property
    def is_public(self) -> bool:
        """The Python side of PUBLIC_Q."""
        return self.status == IdeaStatus.PUBLISHED or (
            self.status == IdeaStatus.MERGED and self.published_at is not None
        )

    @property
    def conversion_abandoned(self) -> bool:
        """The idea was turned into a challenge draft that the city cancelled before publishing it: as if it
        had never been converted (the city may moderate it and turn it into a challenge again). Reads the
        challenge: load it with select_related("challenge") where this runs per row."""
        if self.challenge_id is None:
            return False
        challenge = self.challenge
        return challenge.status == ChallengeStatus.CANCELLED and challenge.published_at is None

    @property
    def is_converted(self) -> bool:
        """The idea became a challenge that is still alive or was published (an abandoned draft does not
        count)."""
        return self.challenge_id is not None and not self.conversion_abandoned


class IdeaSupport(models.Model):
    """One resident's support for an idea (one per person)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_supports")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        ordering = ["idea", "created_at"]
        constraints = [models.UniqueConstraint(fields=["idea", "user"], name="idea_support_once_per_person")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.idea_id}"
