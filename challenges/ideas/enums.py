from django.db import models
from django.utils.translation import gettext_lazy as _


class IdeaStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Not published")
    MERGED = "merged", _("Merged with a similar idea")
    WITHDRAWN = "withdrawn", _("Withdrawn by its author")
