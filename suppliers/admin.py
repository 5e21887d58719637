"""The technical admin for suppliers. Profiles, tags, references and the partner board are ordinary
reference data. Proposals and everything under them (answers, price lines, documents, receipts, consortium
partners) are bids: the admin never shows one whose challenge has not passed its deadline (by the database's
clock) or was cancelled, not even as a count, and never changes one (bids change only through the portal's
own pages and services, which keep receipts and the audit log right)."""

from django.contrib import admin
from django.db.models import QuerySet

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


# Bids: unsealed only, read-only


class ProposalRowInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class OutcomeAnswerInline(ProposalRowInline):
    model = OutcomeAnswer
    fields = ["outcome", "answer"]


class CriterionAnswerInline(ProposalRowInline):
    model = CriterionAnswer
    fields = ["criterion", "answer"]


class PriceLineInline(ProposalRowInline):
    model = PriceLine
    fields = ["position", "description", "amount"]


class ProposalDocumentInline(ProposalRowInline):
    model = ProposalDocument
    # Not the file itself: the admin does not serve bid documents.
    fields = ["title", "original_name", "content_type", "size", "sha256", "uploaded_by", "created_at"]


class ConsortiumPartnerInline(ProposalRowInline):
    model = ConsortiumPartner
    fields = ["organisation", "email", "status", "role", "work_share", "invited_at", "responded_at"]


class ReceiptInline(ProposalRowInline):
    model = Receipt
    fields = ["number", "submitted_at", "submitted_by", "digest", "superseded_at"]


@admin.register(Proposal)
class ProposalAdmin(SealedAdmin):
    proposal_prefix = ""
    list_display = ["__str__", "supplier", "challenge", "status", "submitted_at"]
    list_select_related = ["supplier", "challenge"]
    search_fields = ["title", "supplier__name", "challenge__title"]
    fields = [
        "challenge",
        "supplier",
        "status",
        "title",
        "summary",
        "approach",
        "team",
        "timeline",
        "price",
        "currency",
        "lead_role",
        "lead_share",
        "submitted_at",
        "withdrawn_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields
    inlines = [
        ConsortiumPartnerInline,
        OutcomeAnswerInline,
        CriterionAnswerInline,
        PriceLineInline,
        ProposalDocumentInline,
        ReceiptInline,
    ]


@admin.register(Receipt)
class ReceiptAdmin(SealedAdmin):
    list_display = ["proposal", "number", "submitted_at", "digest", "superseded_at"]
    list_select_related = ["proposal__supplier"]
    fields = ["proposal", "number", "submitted_at", "submitted_by", "digest", "superseded_at"]
    readonly_fields = fields


@admin.register(ProposalDocument)
class ProposalDocumentAdmin(SealedAdmin):
    list_display = ["title", "proposal", "original_name", "size", "created_at"]
    list_select_related = ["proposal__supplier"]
    fields = [
        "proposal",
        "title",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "created_at",
    ]
    readonly_fields = fields


@admin.register(ConsortiumPartner)
class ConsortiumPartnerAdmin(SealedAdmin):
    list_display = ["__str__", "proposal", "status", "role", "work_share"]
    list_select_related = ["organisation", "proposal__supplier"]
    fields = [
        "proposal",
        "organisation",
        "email",
        "status",
        "role",
        "work_share",
        "invited_at",
        "responded_at",
    ]
    readonly_fields = fields


@admin.register(OutcomeAnswer)
class OutcomeAnswerAdmin(SealedAdmin):
    list_display = ["proposal", "outcome"]
    list_select_related = ["proposal__supplier", "outcome"]
    fields = ["proposal", "outcome", "answer"]
    readonly_fields = fields


@admin.register(CriterionAnswer)
class CriterionAnswerAdmin(SealedAdmin):
    list_display = ["proposal", "criterion"]
    list_select_related = ["proposal__supplier", "criterion"]
    fields = ["proposal", "criterion", "answer"]
    readonly_fields = fields


@admin.register(PriceLine)
class PriceLineAdmin(SealedAdmin):
    list_display = ["description", "proposal", "amount"]
    list_select_related = ["proposal__supplier"]
    fields = ["proposal", "position", "description", "amount"]
    readonly_fields = fields
