"""The survey engine: surveys built from questions of five kinds (single and multiple choice, ranking, scale,
free text), with conditions on earlier answers; people's responses, saved as drafts until they submit; and
who has completed which survey. It knows nothing of exchanges: an exchange event points at its surveys.

Anonymous surveys are unlinkable through the portal: a submitted anonymous Response has no respondent, a
random (UUID) key, the date only, and answers with random keys too; the Completion row is the only trace of
who answered, and no column of it can be joined or ordered against the responses (see
services.save_answers). That is a promise about what staff can find out through the portal, not against
someone with direct access to the database: see Response for the limit."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import QuestionKind, SurveyKind, SurveyStatus

TEXT_ANSWER_MAX_LENGTH = 5000
# A draft keeps longer text (nothing typed is lost); submitting asks to shorten it.
TEXT_DRAFT_MAX_LENGTH = 50_000


class SurveyQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SurveyQuerySet":
        """Surveys are built and read by programme staff; the exchanges app decides who answers which."""
        if not user.is_authenticated or not user.is_programme_staff:
            return self.none()
        return self.all()


class Survey(models.Model):
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(
        _("introduction"), blank=True, help_text=_("Shown above the questions: why we ask, and for what.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SurveyKind.choices, default=SurveyKind.CUSTOM)
    is_anonymous = models.BooleanField(
        _("anonymous"),
        default=False,
        help_text=_(
            "Answers are stored without the respondent's name; only the fact that someone has answered "
            "is kept."
        ),
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=F("opens_at")),
                name="surveys_survey_closes_after_opening",
                violation_error_message=_("The survey must close after it opens."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("surveys:survey-detail", kwargs={"pk": self.pk})

    @property
    def is_accepting_answers(self) -> bool:
        now = timezone.now()
        return (
            self.status == SurveyStatus.OPEN
            and (self.opens_at is None or self.opens_at <= now)
            and (self.closes_at is None or now < self.closes_at)
        )


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(_("position"), default=0)
    key = models.SlugField(
        _("key"),
        max_length=60,
        help_text=_("A short stable name for the question, used in exports (letters, digits, - and _)."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=False)
    scale_min = models.PositiveSmallIntegerField(_("scale from"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("scale to"), default=5)
    scale_low_label = models.CharField(_("label of the lowest value"), max_length=100, blank=True)
    scale_high_label = models.CharField(_("label of the highest value"), max_length=100, blank=True)
    # Shown (and validated) only when the answer to an earlier single or multiple choice question contains
    # one of these values. Deleting that question is refused while this one depends on it (services).
    show_if = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dependents",
        verbose_name=_("shown only if"),
    )
    show_if_values = models.JSONField(_("for the answers"), default=list, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="surveys_question_unique_key"),
            models.CheckConstraint(
                condition=Q(scale_min__lt=F("scale_max")),
                name="surveys_question_scale_ordered",
                violation_error_message=_("The scale must go up from a lower to a higher number."),
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_choice(self) -> bool:
        return self.kind in {QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING}

    @property
    def scale_values(self) -> list[int]:
        return list(range(self.scale_min, self.scale_max + 1))


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveIntegerField(_("position"), default=0)
    value = models.SlugField(_("value"), max_length=60)
    label = models.CharField(_("label"), max_length=200)

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["question", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "value"], name="surveys_choice_unique_value")
        ]

    def __str__(self) -> str:
        return self.label


class ResponseQuerySet(models.QuerySet):
    def submitted(self) -> "ResponseQuerySet":
        return self.filter(submitted_at__isnull=False)

    def drafts(self) -> "ResponseQuerySet":
        return self.filter(submitted_at__isnull=True)


class Response(models.Model):
    """One person's answers to a survey: a draft until submitted. A UUID key, so that an anonymous
    response's key says nothing about when it was written.

    The limit of anonymity. An anonymous response is written in the same transaction as the Completion
    that names its respondent (services.save_answers). No column links the two, so staff cannot link them
    through the portal, its pages, exports or admin. Someone with direct access to the database can: in
    PostgreSQL, the rows of one transaction carry the same transaction id in the hidden system column
    `xmin`, and rows written one after the other usually sit next to each other on disk (`ctid`, and the
    order of a scan without ORDER BY); the write-ahead log, statement logs and backups keep the same
    order. So a database administrator, or anyone with a copy of the database, could match an anonymous
    response to its Completion, and so to a person. Closing that gap would need a pool that holds
    responses back and writes them later in a shuffled batch, which the portal does not have."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    # NULL on a submitted response of an anonymous survey (and if the person's account is deleted).
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_responses",
        verbose_name=_("respondent"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Not auto_now: an anonymous response stores the date only (midnight UTC), set by the service.
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["survey", "submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent"],
                condition=Q(respondent__isnull=False),
                name="surveys_response_one_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.pk}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class Answer(models.Model):
    """The answer to one question: a str for single choice and text, a list of choice values for multiple
    choice and ranking (best first), an int for a scale. A UUID key, for the same reason as Response."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.JSONField(_("value"))

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["response", "question__position"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="surveys_answer_one_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}"


class Completion(models.Model):
    """That a person has submitted a survey: kept for every survey, and the only link between a person and
    an anonymous survey."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="completions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_completions"
    )
    completed_at = models.DateTimeField(_("completed at"), default=timezone.now)

    class Meta:
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        ordering = ["survey", "completed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="surveys_completion_one_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.survey_id}"
