"""The selling side: supplier profiles, proposals (sealed until the challenge closes), their receipts,
consortia and the "looking for partners" board.

Proposals are read only through ProposalQuerySet.visible_to(user): the one place that knows who may see a
bid, and when.
"""

import uuid
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from challenges.enums import ChallengeStatus, Currency

from .enums import PartnerPostStatus, PartnerStatus, ProposalStatus

# A closed challenge's proposals may be opened by its readers; a cancelled one's stay sealed for good.
OPENABLE_CHALLENGE_STATUSES = [
    ChallengeStatus.PUBLISHED,  # past its deadline, before the closing task has run
    ChallengeStatus.CLOSED,
    ChallengeStatus.UNDER_EVALUATION,
    ChallengeStatus.AWARDED,
    ChallengeStatus.NOT_AWARDED,
]
PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


def _generated_name(prefix: str) -> str:
    # Stored under a generated name; the original name is kept in the database only.
    return f"{prefix}/{uuid.uuid4().hex}"


def logo_path(instance: "SupplierProfile", filename: str) -> str:
    return _generated_name(f"suppliers/{instance.organisation_id}/logo")


def proposal_document_path(instance: "ProposalDocument", filename: str) -> str:
    return _generated_name(f"proposals/{instance.proposal_id}")


class CapabilityTag(models.Model):
    """A short capability keyword suppliers tag themselves with ("computer vision", "route optimisation")."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("capability tag")
        verbose_name_plural = _("capability tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SupplierProfileQuerySet(models.QuerySet):
    def listed(self) -> "SupplierProfileQuerySet":
        """Profiles their organisation chose to show in the public directory."""
        return self.filter(is_listed=True)


class SupplierProfile(models.Model):
    """A supplier organisation's public face. Name, country, city, SME size and website live on the
    organisation itself; the profile adds what a procurer doing market research wants to know."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="supplier_profile"
    )
    description = models.TextField(_("what the company does"), blank=True)
    capabilities = models.TextField(_("capabilities"), blank=True)
    capability_tags = models.ManyToManyField(
        CapabilityTag, blank=True, related_name="profiles", verbose_name=_("capability tags")
    )
    cpv_codes = models.ManyToManyField(
        "challenges.CPVCode", blank=True, related_name="supplier_profiles", verbose_name=_("sectors (CPV)")
    )
    countries_served = CountryField(_("countries served"), multiple=True, blank=True)
    regions_served = models.CharField(_("regions served"), max_length=300, blank=True)
    has_public_sector_sales = models.BooleanField(
        _("has sold to the public sector before"),
        default=False,
        help_text=_("Lets the portal count first-time public-sector suppliers."),
    )
    logo = models.ImageField(_("logo"), upload_to=logo_path, blank=True)
    is_listed = models.BooleanField(
        _("show in the public supplier directory"),
        default=False,
        help_text=_("Procurers doing market research can find you there."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SupplierProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("supplier profile")
        verbose_name_plural = _("supplier profiles")
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return str(self.organisation)

    def get_absolute_url(self) -> str:
        return reverse("suppliers:profile-detail", kwargs={"slug": self.organisation.slug})


class SupplierReference(models.Model):
    """A past project the supplier points to."""

    profile = models.ForeignKey(SupplierProfile, on_delete=models.CASCADE, related_name="references")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("project"), max_length=200)
    client = models.CharField(_("client"), max_length=200)
    is_public_sector = models.BooleanField(_("public-sector client"), default=False)
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )
    description = models.TextField(_("what was delivered"), blank=True)

    class Meta:
        verbose_name = _("reference")
        verbose_name_plural = _("references")
        ordering = ["profile", "position", "pk"]

    def __str__(self) -> str:
        return self.title


def _declared_evaluators() -> models.QuerySet:
    """Active panel members (evaluation.Evaluator) who have declared, for every bidding organisation of
    their challenge (leads and accepted partners of submitted proposals), whether they have a conflict.
    Evaluation sits above suppliers, so its models are looked up by name, never imported."""
    evaluator_model = apps.get_model("evaluation", "Evaluator")
    declaration_model = apps.get_model("evaluation", "ConflictDeclaration")
    undeclared_leads = Proposal.objects.filter(
        challenge_id=OuterRef("challenge_id"), status=ProposalStatus.SUBMITTED
    ).filter(
        ~Exists(
            declaration_model.objects.filter(
                evaluator_id=OuterRef(OuterRef("pk")), organisation_id=OuterRef("supplier_id")
            )
        )
    )
    undeclared_partners = ConsortiumPartner.objects.filter(
        proposal__challenge_id=OuterRef("challenge_id"),
        proposal__status=ProposalStatus.SUBMITTED,
        status=PartnerStatus.ACCEPTED,
        organisation__isnull=False,
    ).filter(
        ~Exists(
            declaration_model.objects.filter(
                evaluator_id=OuterRef(OuterRef("pk")), organisation_id=OuterRef("organisation_id")
            )
        )
    )
    return evaluator_model.objects.filter(removed_at__isnull=True, user__isnull=False).filter(
        ~Exists(undeclared_leads), ~Exists(undeclared_partners)
    )


def _evaluator_reads(user) -> Q:
    """The proposals (of opened challenges) this user reads as an evaluator: of a challenge on whose panel
    they have declared for every bidder, and none of whose bidding organisations they declared a conflict
    with. All in the database: one subquery for the panels, one for the conflicts."""
    declaration_model = apps.get_model("evaluation", "ConflictDeclaration")
    conflicted = declaration_model.objects.filter(
        evaluator__user=user,
        evaluator__removed_at__isnull=True,
        evaluator__challenge_id=OuterRef("challenge_id"),
        has_conflict=True,
    ).filter(
        Q(organisation_id=OuterRef("supplier_id"))
        | Q(
            organisation_id__in=ConsortiumPartner.objects.filter(
                proposal_id=OuterRef(OuterRef("pk")), status=PartnerStatus.ACCEPTED
            ).values("organisation_id")
        )
    )
    return Q(challenge_id__in=_declared_evaluators().filter(user=user).values("challenge_id")) & ~Exists(
        conflicted
    )


def _of_organisations(organisation_ids) -> Q:
    return Q(supplier_id__in=organisation_ids) | Q(
        pk__in=ConsortiumPartner.objects.filter(
            organisation_id__in=organisation_ids, status=PartnerStatus.ACCEPTED
        ).values("proposal_id")
    )


class ProposalQuerySet(models.QuerySet):
    def of_organisations(self, organisation_ids) -> "ProposalQuerySet":
        """Proposals an organisation leads or has accepted to partner in."""
        return self.filter(_of_organisations(organisation_ids))

    def opened(self) -> "ProposalQuerySet":
        """Submitted proposals whose challenge has passed its deadline (by the database clock)."""
        return self.filter(
            status=ProposalStatus.SUBMITTED,
            challenge__status__in=OPENABLE_CHALLENGE_STATUSES,
            challenge__submission_deadline__lte=Now(),
        )

    def visible_to(self, user) -> "ProposalQuerySet":
        """The only way pages read proposals.

        - The bidding organisations (lead and accepted partners) see their own, at any time.
        - After the deadline, a submitted proposal opens to the challenge's evaluators and to the admins
          of the buying organisation. Nobody else, ever: not other suppliers, not programme staff, not
          superusers (the Django admin hides proposals of open challenges too).
        - An admin of the buying organisation who is an active member of the challenge's panel reads it
          under the evaluator's rules only: once declared about every bidder, and never a bid they
          declared a conflict with. Admins who are not on the panel read every opened proposal.
        """
        if not user.is_authenticated:
            return self.none()
        admin_of = [pk for pk, role in user.organisation_roles.items() if role == "admin"]
        # An admin of the buyer who sits on the challenge's panel reads its bids as an evaluator only
        # (declared about every bidder, no conflict with this one): being an admin must not let them skip
        # the declaration or read round a declared conflict.
        on_panel = apps.get_model("evaluation", "Evaluator").objects.filter(
            user=user, removed_at__isnull=True
        )
        readers = (
            Q(challenge__owner_id__in=admin_of) & ~Q(challenge_id__in=on_panel.values("challenge_id"))
        ) | _evaluator_reads(user)
        # The bidder's condition is on the row itself, not a subquery of proposals: "supplier in (…) or
        # partner" inside a subquery made PostgreSQL scan every proposal (50 ms at 100,000 proposals).
        return self.filter(
            _of_organisations(user.organisation_ids)
            | Q(pk__in=self.model.objects.opened().filter(readers).values("pk"))
        )


class Proposal(models.Model):
    """A supplier's (or consortium's) answer to a challenge. One per lead organisation and challenge:
    withdrawing and resubmitting reuse the same row, and each submission gets its own receipt."""

    challenge = models.ForeignKey(
        "challenges.Challenge",
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("challenge"),
    )
    supplier = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("lead supplier"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    title = models.CharField(_("title of your proposal"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    approach = models.TextField(_("approach"), blank=True)
    team = models.TextField(_("team"), blank=True)
    timeline = models.TextField(_("timeline"), blank=True)
    price = models.DecimalField(
        _("total price"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR)
    lead_role = models.CharField(_("lead's role in the consortium"), max_length=200, blank=True)
    lead_share = models.DecimalField(
        _("lead's share of the work (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    # Every saved edit increases it: co-editors' autosaves detect that someone else saved in between.
    revision = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    # The lead's "has sold to the public sector before", as its profile said at the latest submission (None:
    # never submitted, or no profile): first-time public-sector suppliers are counted per bid from this, not
    # from a profile that may have changed since.
    had_public_sector_sales = models.BooleanField(
        _("had sold to the public sector before (at submission)"), null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "supplier"], name="proposal_one_per_supplier"),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="proposal_price_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(lead_share__isnull=True) | Q(lead_share__gte=0, lead_share__lte=100),
                name="proposal_lead_share_percent",
            ),
            models.CheckConstraint(
                condition=~Q(status=ProposalStatus.SUBMITTED) | Q(submitted_at__isnull=False),
                name="proposal_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title or str(_("Proposal by %(supplier)s") % {"supplier": self.supplier})

    def get_absolute_url(self) -> str:
        return reverse("suppliers:proposal-detail", kwargs={"pk": self.pk})

    @property
    def audit_label(self) -> str:
        """How the audit log and the admin name it: by number only, since its title is sealed content."""
        return str(_("Proposal no. %(number)s") % {"number": self.pk})

    @property
    def is_submitted(self) -> bool:
        return self.status == ProposalStatus.SUBMITTED

    @cached_property
    def bidder_organisation_ids(self) -> set[int]:
        """The lead and every partner that has accepted (reads prefetched partners when there are: all of
        them, or the accepted ones as `accepted_partner_list`, which spares a page of hundreds of
        proposals a related manager per row)."""
        partners = getattr(self, "accepted_partner_list", None)
        if partners is None:
            partners = self.partners.all()
        return {self.supplier_id} | {
            partner.organisation_id
            for partner in partners
            if partner.status == PartnerStatus.ACCEPTED and partner.organisation_id
        }

    @cached_property
    def evaluator_user_ids(self) -> set[int]:
        """The panel members who may read it once it is opened (one query): active, declared for every
        bidding organisation of the challenge, and without a conflict with any of this proposal's."""
        conflict_model = apps.get_model("evaluation", "ConflictDeclaration")
        conflicts = conflict_model.objects.filter(evaluator_id=OuterRef("pk"), has_conflict=True).filter(
            Q(organisation_id=self.supplier_id)
            | Q(
                organisation_id__in=ConsortiumPartner.objects.filter(
                    proposal_id=self.pk, status=PartnerStatus.ACCEPTED
                ).values("organisation_id")
            )
        )
        return set(
            _declared_evaluators()
            .filter(challenge_id=self.challenge_id)
            .filter(~Exists(conflicts))
            .values_list("user_id", flat=True)
        )

    @cached_property
    def panel_user_ids(self) -> set[int]:
        """Everyone on the challenge's panel (active), declared or not (one query). A buyer admin among them
        reads the challenge's bids as an evaluator only, as in ProposalQuerySet.visible_to."""
        evaluator_model = apps.get_model("evaluation", "Evaluator")
        return set(
            evaluator_model.objects.filter(
                challenge_id=self.challenge_id, removed_at__isnull=True, user__isnull=False
            ).values_list("user_id", flat=True)
        )

    @property
    def is_opened(self) -> bool:
        """Submitted, and its challenge has passed its deadline without being cancelled."""
        challenge = self.challenge
        return (
            self.status == ProposalStatus.SUBMITTED
            and challenge.status in OPENABLE_CHALLENGE_STATUSES
            and challenge.submission_deadline is not None
            and challenge.submission_deadline <= timezone.now()
        )


class OutcomeAnswer(models.Model):
    """How the proposal reaches one of the challenge's desired outcomes."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="outcome_answers")
    # PROTECT: deleting an outcome must never delete a bid's answer to it silently.
    outcome = models.ForeignKey("challenges.Outcome", on_delete=models.PROTECT, related_name="+")
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        ordering = ["outcome__position", "outcome_id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "outcome"], name="outcome_answer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}/{self.outcome_id}"


class CriterionAnswer(models.Model):
    """The proposal's answer to one published evaluation criterion."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="criterion_answers")
    criterion = models.ForeignKey("challenges.Criterion", on_delete=models.PROTECT, related_name="+")
    answer = models.TextField(_("answer"), blank=True)

    class Meta:
        ordering = ["criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "criterion"], name="criterion_answer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}/{self.criterion_id}"


class PriceLine(models.Model):
    """One line of the price breakdown."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="price_lines")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(_("item"), max_length=200)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["proposal", "position", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="price_line_amount_gte_0")]

    def __str__(self) -> str:
        return self.description


class ProposalDocument(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=proposal_document_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("proposal document")
        verbose_name_plural = _("proposal documents")
        ordering = ["proposal", "created_at", "pk"]

    def __str__(self) -> str:
        return self.title


class Receipt(models.Model):
    """Proof of one submission: when (by the database clock) and a SHA-256 digest over the submitted
    content and every document, in a canonical order (suppliers.receipts)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="receipts")
    number = models.PositiveIntegerField(_("submission number"))
    submitted_at = models.DateTimeField(_("submitted"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    digest = models.CharField(_("SHA-256 digest"), max_length=64)
    # What the digest covered, as it was at submission (suppliers.receipts.seal): the lead, the partners and
    # the documents with their names, sizes and SHA-256. Receipt pages and files show this, never today's
    # rows; verifying still recomputes the digest from the stored bytes.
    manifest = models.JSONField(_("what the digest covered"), default=dict, blank=True)
    # Withdrawing (or resubmitting) supersedes a receipt; it stays as the record of what was sent then.
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["proposal", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="receipt_number_unique"),
            models.UniqueConstraint(
                fields=["proposal"], condition=Q(superseded_at__isnull=True), name="receipt_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}#{self.number} {self.digest[:12]}"

    def get_absolute_url(self) -> str:
        return reverse("suppliers:receipt-detail", kwargs={"pk": self.pk})


class ConsortiumPartner(models.Model):
    """A partner organisation invited into a proposal by its lead. Invited by email when the partner has
    no account yet: the token (stored as its SHA-256) lets whoever holds the address accept for a
    supplier organisation they belong to."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="partnerships",
        verbose_name=_("partner organisation"),
    )
    email = models.EmailField(_("invited address"), blank=True)
    token_digest = models.CharField(max_length=64, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=PartnerStatus.choices, default=PartnerStatus.INVITED
    )
    role = models.CharField(_("role in the consortium"), max_length=200)
    work_share = models.DecimalField(
        _("share of the work (%)"), max_digits=5, decimal_places=2, validators=PERCENT
    )
    message = models.TextField(_("message to the partner"), blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("consortium partner")
        verbose_name_plural = _("consortium partners")
        ordering = ["proposal", "invited_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | ~Q(email=""),
                name="partner_has_organisation_or_email",
            ),
            models.CheckConstraint(
                condition=Q(work_share__gte=0, work_share__lte=100), name="partner_work_share_percent"
            ),
            models.UniqueConstraint(
                fields=["proposal", "organisation"],
                condition=Q(status__in=[PartnerStatus.INVITED, PartnerStatus.ACCEPTED]),
                name="partner_live_once_per_proposal",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation or self.email)


class PartnerPost(models.Model):
    """A supplier's notice on a challenge's "looking for partners" board."""

    challenge = models.ForeignKey(
        "challenges.Challenge", on_delete=models.CASCADE, related_name="partner_posts"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="partner_posts"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    brings = models.TextField(_("what we bring"))
    seeks = models.TextField(_("what we are looking for"))
    status = models.CharField(
        _("status"), max_length=20, choices=PartnerPostStatus.choices, default=PartnerPostStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("partner post")
        verbose_name_plural = _("partner posts")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "organisation"], name="partner_post_one_per_supplier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.challenge}"


class PartnerConversation(models.Model):
    """Messages between a post's author and one replying organisation. Contact details are shown to
    either side only once both have agreed to share them."""

    post = models.ForeignKey(PartnerPost, on_delete=models.CASCADE, related_name="conversations")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="partner_conversations"
    )
    poster_shares_contact_at = models.DateTimeField(null=True, blank=True)
    replier_shares_contact_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("partner conversation")
        verbose_name_plural = _("partner conversations")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["post", "organisation"], name="partner_conversation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.post}"

    @property
    def contacts_shared(self) -> bool:
        return bool(self.poster_shares_contact_at and self.replier_shares_contact_at)


class PartnerMessage(models.Model):
    conversation = models.ForeignKey(PartnerConversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sender_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partner message")
        verbose_name_plural = _("partner messages")
        ordering = ["conversation", "created_at", "pk"]

    def __str__(self) -> str:
        return self.body[:40]
