"""The technical admin for surveys: for operators to look things up. Surveys and questions are built in the
portal's own pages (their services check the rules); responses of anonymous surveys are read-only here, so
nobody can attach a person to one."""

from django.contrib import admin

from .models import Answer, Choice, Completion, Question, Response, Survey


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "key", "kind", "text", "required", "show_if", "show_if_values"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "is_anonymous", "created_at"]
    list_filter = ["kind", "status", "is_anonymous"]
    search_fields = ["title"]
    readonly_fields = ["kind", "status", "is_anonymous", "created_by", "created_at", "updated_at"]
    inlines = [QuestionInline]


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0
    fields = ["position", "value", "label"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "survey", "key", "kind", "position"]
    list_filter = ["kind"]
    search_fields = ["text", "key", "survey__title"]
    # Read-only: questions change in the builder, which keeps them fixed once answers are submitted.
    readonly_fields = [
        "survey", "position", "key", "kind", "text", "help_text", "required", "scale_min", "scale_max",
        "scale_low_label", "scale_high_label", "show_if", "show_if_values",
    ]  # fmt: skip
    inlines = [ChoiceInline]

    def has_add_permission(self, request):
        return False


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question", "value"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["id", "survey", "respondent", "submitted_at"]
    list_filter = ["survey__is_anonymous"]
    search_fields = ["survey__title"]
    list_select_related = ["survey", "respondent"]
    readonly_fields = ["id", "survey", "respondent", "submitted_at", "created_at", "updated_at"]
    inlines = [AnswerInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.survey.is_anonymous:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.survey.is_anonymous:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Completion)
class CompletionAdmin(admin.ModelAdmin):
    list_display = ["survey", "user", "completed_at"]
    search_fields = ["survey__title", "user__email"]
    list_select_related = ["survey", "user"]
    readonly_fields = ["survey", "user", "completed_at"]

    def has_add_permission(self, request):
        return False
