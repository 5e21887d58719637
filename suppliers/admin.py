"""The technical admin for suppliers. Profiles, tags, references and the partner board are ordinary
reference data. Proposals and everything under them (answers, price lines, documents, receipts, consortium
partners) are bids: the admin never shows one whose challenge has not passed its deadline (by the database's
clock) or was cancelled, not even as a count, and never changes one (bids change only through the portal's
own pages and services, which keep receipts and the audit log right). After the deadline it shows a bid's
metadata only (status, dates, supplier, digests, sizes and counts), never its content: that is read in the
portal, where each opening is audited."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import (
    CapabilityTag,
    ConsortiumPartner,
    CriterionAnswer,
    OutcomeAnswer,
    PartnerConversation,
    PartnerMessage,
    PartnerPost,
    PriceLine,
    Proposal,
    ProposalDocument,
    Receipt,
    SupplierProfile,
    SupplierReference,
)
from .sealing import unsealed
from .selectors.access import denied_proposal_access


class ReadOnlyMixin:
    """View only, for every user (superusers included): no add, change or delete."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SealedAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """An admin over proposal rows that only ever sees the unsealed ones. `proposal_prefix` is the lookup
    from the model to its proposal ("" for Proposal itself)."""

    proposal_prefix = "proposal__"
    actions = None

    def get_queryset(self, request) -> QuerySet:
        return super().get_queryset(request).filter(unsealed(self.proposal_prefix))


# Reference data


@admin.register(CapabilityTag)
class CapabilityTagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class SupplierReferenceInline(admin.TabularInline):
    model = SupplierReference
    extra = 0
    fields = ["position", "title", "client", "is_public_sector", "year", "description"]


@admin.register(SupplierProfile)
class SupplierProfileAdmin(admin.ModelAdmin):
    list_display = ["organisation", "is_listed", "has_public_sector_sales", "updated_at"]
    list_filter = ["is_listed", "has_public_sector_sales"]
    search_fields = ["organisation__name", "description", "capabilities"]
    list_select_related = ["organisation"]
    raw_id_fields = ["organisation"]
    autocomplete_fields = ["cpv_codes", "capability_tags"]
    inlines = [SupplierReferenceInline]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(SupplierReference)
class SupplierReferenceAdmin(admin.ModelAdmin):
    list_display = ["title", "client", "profile", "is_public_sector", "year"]
    list_filter = ["is_public_sector"]
    search_fields = ["title", "client", "profile__organisation__name"]
    list_select_related = ["profile__organisation"]
    raw_id_fields = ["profile"]


# The partner board


class PartnerMessageInline(ReadOnlyMixin, admin.TabularInline):
    model = PartnerMessage
    extra = 0
    fields = ["created_at", "sender_organisation", "sender", "body"]
    readonly_fields = fields


@admin.register(PartnerPost)
class PartnerPostAdmin(admin.ModelAdmin):
    list_display = ["organisation", "challenge", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["organisation__name", "challenge__title", "brings", "seeks"]
    list_select_related = ["organisation", "challenge"]
    raw_id_fields = ["challenge", "organisation", "created_by"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(PartnerConversation)
class PartnerConversationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["post", "organisation", "updated_at"]
    search_fields = ["organisation__name", "post__organisation__name"]
    list_select_related = ["post__organisation", "post__challenge", "organisation"]
    fields = ["post", "organisation", "poster_shares_contact_at", "replier_shares_contact_at", "created_at"]
    readonly_fields = fields
    inlines = [PartnerMessageInline]


@admin.register(PartnerMessage)
class PartnerMessageAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["conversation", "sender_organisation", "created_at"]
    list_select_related = [
        "conversation__post__organisation",
        "conversation__organisation",
        "sender_organisation",
    ]
    fields = ["conversation", "sender_organisation", "sender", "body", "created_at"]
    readonly_fields = fields


# Bids: unsealed only, read-only, and metadata only. A bid's content (its texts, answers, price and its
# breakdown, roles and shares, document titles and names) is read in the portal, where every opening is
# written to the audit log; the admin would show it to any superuser without a trace.


class BidAdmin(SealedAdmin):
    """A bid's rows, unsealed only, metadata only. A row's own name (`__str__`) may be content (a proposal's
    title, a document's title, a price line's text, an invited address), so the pages name each row by
    its number and its proposal's lead instead: in the list, the change page's heading, title and
    breadcrumbs (bid_change_form.html), and not at all in a change history."""

    change_form_template = "suppliers/admin/bid_change_form.html"
    # The lookup from the row to its proposal, as attributes ("" for Proposal itself).
    proposal_path = "proposal"

    def _proposal_of(self, obj) -> Proposal:
        return getattr(obj, self.proposal_path) if self.proposal_path else obj

    @admin.display(description=_("proposal"))
    def bid(self, obj) -> str:
        proposal = self._proposal_of(obj)
        return _("Proposal no. %(number)s by %(supplier)s") % {
            "number": proposal.pk,
            "supplier": proposal.supplier.name,
        }

    def label(self, obj) -> str:
        if not self.proposal_path:
            return self.bid(obj)
        return f"{capfirst(self.opts.verbose_name)} {obj.pk} · {self.bid(obj)}"

    def get_object(self, request, object_id, from_field=None):
        """The unsealed row, or None (the admin then answers as for a row that does not exist). A row that
        exists but is sealed is a denied attempt on its proposal, and goes to the audit log."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            self._audit_if_sealed(request, object_id)
        return obj

    def _audit_if_sealed(self, request, object_id) -> None:
        # The admin looks a row up more than once per page (change_view, then its parent): one entry.
        audited = request.__dict__.setdefault("_sealed_rows_audited", set())
        if (self.opts.label_lower, str(object_id)) in audited:
            return
        audited.add((self.opts.label_lower, str(object_id)))
        lookup = "pk" if not self.proposal_path else f"{self.proposal_path}_id"
        try:
            proposal_id = (
                self.model._default_manager.filter(pk=object_id).values_list(lookup, flat=True).first()
            )
        except (ValueError, ValidationError):
            return
        if proposal_id is not None:
            denied_proposal_access(
                request, proposal_id=proposal_id, admin=self.opts.label_lower, row=str(object_id)
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra_context = {**(extra_context or {}), "subtitle": self.label(obj) if obj is not None else None}
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        # Nothing is ever changed here, and the history page is titled by the row's own name. The same
        # answer for every row; an attempt on a sealed one is still on the record.
        try:
            hidden = (
                self.has_view_permission(request)
                and self.get_queryset(request).filter(pk=unquote(object_id)).first() is None
            )
        except (ValueError, ValidationError):  # not an id at all
            hidden = False
        if hidden:
            self._audit_if_sealed(request, unquote(object_id))
        raise PermissionDenied


class ReceiptInline(ReadOnlyMixin, admin.TabularInline):
    model = Receipt
    extra = 0
    fields = ["number", "submitted_at", "submitted_by", "digest", "superseded_at"]
    readonly_fields = fields


@admin.register(Proposal)
class ProposalAdmin(BidAdmin):
    proposal_prefix = ""
    proposal_path = ""
    list_display = ["bid", "supplier", "challenge", "status", "submitted_at"]
    list_select_related = ["supplier", "challenge"]
    search_fields = ["supplier__name", "challenge__title"]
    fields = [
        "bid",
        "challenge",
        "supplier",
        "status",
        "currency",
        "submitted_at",
        "withdrawn_at",
        "had_public_sector_sales",
        "created_by",
        "created_at",
        "updated_at",
        "partner_list",
        "answer_count",
        "price_line_count",
        "document_list",
    ]
    readonly_fields = fields
    inlines = [ReceiptInline]

    def get_queryset(self, request) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(
                outcome_answer_total=Count("outcome_answers", distinct=True),
                criterion_answer_total=Count("criterion_answers", distinct=True),
                price_line_total=Count("price_lines", distinct=True),
            )
        )

    @admin.display(description=_("consortium partners"))
    def partner_list(self, obj) -> str:
        partners = (
            ConsortiumPartner.objects.filter(proposal=obj, organisation__isnull=False)
            .select_related("organisation")
            .order_by("invited_at", "pk")
        )
        return (
            format_html_join(
                mark_safe("<br>"),
                "{} ({})",
                ((partner.organisation.name, partner.get_status_display()) for partner in partners),
            )
            or "–"
        )

    @admin.display(description=_("answers (outcomes + criteria)"))
    def answer_count(self, obj) -> str:
        return f"{obj.outcome_answer_total} + {obj.criterion_answer_total}"

    @admin.display(description=_("price lines"))
    def price_line_count(self, obj) -> int:
        return obj.price_line_total

    @admin.display(description=_("documents (type, size, SHA-256)"))
    def document_list(self, obj) -> str:
        documents = ProposalDocument.objects.filter(proposal=obj).order_by("pk")
        return (
            format_html_join(
                mark_safe("<br>"),
                "{} · {} · <code>{}</code>",
                (
                    (document.content_type, filesizeformat(document.size), document.sha256)
                    for document in documents
                ),
            )
            or "–"
        )


@admin.register(Receipt)
class ReceiptAdmin(BidAdmin):
    list_display = ["pk", "bid", "number", "submitted_at", "digest", "superseded_at"]
    list_select_related = ["proposal__supplier"]
    fields = ["bid", "number", "submitted_at", "submitted_by", "digest", "superseded_at"]
    readonly_fields = fields


@admin.register(ProposalDocument)
class ProposalDocumentAdmin(BidAdmin):
    list_display = ["pk", "bid", "content_type", "size", "created_at"]
    list_select_related = ["proposal__supplier"]
    fields = ["bid", "content_type", "size", "sha256", "uploaded_by", "created_at"]
    readonly_fields = fields


@admin.register(ConsortiumPartner)
class ConsortiumPartnerAdmin(BidAdmin):
    list_display = ["pk", "organisation", "bid", "status"]
    list_select_related = ["organisation", "proposal__supplier"]
    fields = ["bid", "organisation", "status", "invited_at", "responded_at"]
    readonly_fields = fields


@admin.register(OutcomeAnswer)
class OutcomeAnswerAdmin(BidAdmin):
    list_display = ["pk", "bid", "outcome"]
    list_select_related = ["proposal__supplier", "outcome"]
    fields = ["bid", "outcome", "length"]
    readonly_fields = fields

    @admin.display(description=_("length (characters)"))
    def length(self, obj) -> int:
        return len(obj.answer)


@admin.register(CriterionAnswer)
class CriterionAnswerAdmin(OutcomeAnswerAdmin):
    list_display = ["pk", "bid", "criterion"]
    list_select_related = ["proposal__supplier", "criterion"]
    fields = ["bid", "criterion", "length"]
    readonly_fields = fields


@admin.register(PriceLine)
class PriceLineAdmin(BidAdmin):
    list_display = ["pk", "bid", "position"]
    list_select_related = ["proposal__supplier"]
    fields = ["bid", "position"]
    readonly_fields = fields


# "View on site" (the admin's r/<content type>/<id>/ shortcut) redirects to an object's page if the object
# exists: for a sealed bid that would tell a superuser it exists. portal/urls.py routes the shortcut here.

SEALED_BID_MODELS = {
    Proposal: "",
    Receipt: "proposal__",
    ProposalDocument: "proposal__",
    ConsortiumPartner: "proposal__",
    OutcomeAnswer: "proposal__",
    CriterionAnswer: "proposal__",
    PriceLine: "proposal__",
}


def view_on_site(request, content_type_id, object_id):
    """Django's shortcut, except that a sealed bid's row is a 404 (and an audited attempt), exactly like
    a row that does not exist."""
    try:
        model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
    except (ContentType.DoesNotExist, ValueError):
        raise Http404 from None
    prefix = SEALED_BID_MODELS.get(model)
    if prefix is not None:
        rows = (
            model._default_manager.filter(pk=object_id)
            if str(object_id).isdecimal() and str(object_id).isascii()
            else model._default_manager.none()
        )
        if not rows.filter(unsealed(prefix)).exists():
            proposal_id = rows.values_list("pk" if not prefix else "proposal_id", flat=True).first()
            raise denied_proposal_access(request, proposal_id=proposal_id, admin="view_on_site")
    return shortcut(request, content_type_id, object_id)
