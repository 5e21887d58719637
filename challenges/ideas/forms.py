"""Forms of citizen ideas. They check what a person typed and say what is wrong at the field; the services
decide (limits, spam, states) and their refusals come back as form errors."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from challenges.models import Theme

from .enums import IdeaStatus
from .models import Idea
from .selectors import SORT_NEWEST, SORT_SUPPORTED, merge_targets, submission_cities
from .services import check_idea_text

# The honeypot: a field people never see (hidden with the page's CSS, out of the tab order) and bots fill
# in. It is rendered by hand in templates/ideas/idea_form.html, not by crispy.
HONEYPOT_FIELD = "website"
TOO_LONG = _(
    "Shorten this text to at most %(limit_value)d characters (it has %(show_value)d); what you typed is kept."
)


class IdeaForm(forms.ModelForm):
    class Meta:
        model = Idea
        fields = ["city", "title", "problem", "affected", "location", "themes", "display_name"]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 7}),
            "affected": forms.Textarea(attrs={"rows": 3}),
            "themes": forms.CheckboxSelectMultiple,
        }
        labels = {"city": _("Your city or municipality")}
        error_messages = {"problem": {"max_length": TOO_LONG}, "affected": {"max_length": TOO_LONG}}
        help_texts = {
            "title": _("A short name for the problem, e.g. “Icy pavements on the way to the health centre”."),
            "problem": _(
                "What goes wrong today, where and how often? Describe the need, not a solution: the city "
                "will ask companies for ideas on how to solve it."
            ),
            "affected": _("Who lives with the problem, and how it touches them."),
            "location": _("A neighbourhood, street or place, if the problem is tied to one."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = submission_cities()
        self.fields["city"].empty_label = _("Choose a city or municipality")
        self.fields["themes"].queryset = Theme.objects.all()
        self.fields["themes"].required = False
        for name in ("problem", "affected"):
            # No maxlength attribute: a browser would cut a pasted text short without a word; the server
            # says how long it is and keeps all of it for the person to shorten.
            self.fields[name].widget.attrs.pop("maxlength", None)

    def clean(self):
        cleaned = super().clean()
        try:
            check_idea_text(
                title=cleaned.get("title") or "",
                problem=cleaned.get("problem") or "",
                affected=cleaned.get("affected") or "",
                location=cleaned.get("location") or "",
                display_name=cleaned.get("display_name") or "",
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return cleaned


class IdeaFilterForm(forms.Form):
    city = forms.ChoiceField(label=_("City or municipality"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(SORT_NEWEST, _("Newest first")), (SORT_SUPPORTED, _("Most supported first"))],
    )

    def __init__(self, *args, cities: list[tuple[str, str]], themes: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].choices = [("", _("All cities")), *cities]
        self.fields["theme"].choices = [("", _("All themes")), *themes]

    def value(self, name: str) -> str:
        """The field's value if it is valid, else the default ("")."""
        if not self.is_bound or name in self.errors:
            return ""
        return self.cleaned_data.get(name) or ""


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your decision"),
        widget=forms.RadioSelect,
        choices=[
            (IdeaStatus.PUBLISHED, _("Publish it")),
            (IdeaStatus.MERGED, _("Merge it into a similar published idea")),
            (IdeaStatus.REJECTED, _("Do not publish it")),
        ],
    )
    merge_into = forms.ModelChoiceField(
        label=_("The idea to merge it into"),
        queryset=Idea.objects.none(),
        required=False,
        empty_label=_("Choose an idea"),
        help_text=_("Its supporters move to that idea; the author is counted as a supporter there."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when you do not publish the idea. The author sees it; be kind and specific."),
    )

    def __init__(self, *args, idea: Idea, candidates: list[Idea], **kwargs):
        """`candidates` (selectors.merge_candidates) are the ideas offered; any published idea of the same
        city is accepted, so a choice made from a list that has changed since is not refused."""
        super().__init__(*args, **kwargs)
        self.idea = idea
        self.fields["merge_into"].queryset = merge_targets(idea=idea)
        self.fields["merge_into"].choices = [
            ("", self.fields["merge_into"].empty_label),
            *((candidate.pk, candidate.title) for candidate in candidates),
        ]
        if idea.status != IdeaStatus.PENDING:
            # A published idea is not published again.
            self.fields["decision"].choices = [
                choice for choice in self.fields["decision"].choices if choice[0] != IdeaStatus.PUBLISHED
            ]

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == IdeaStatus.MERGED and not cleaned.get("merge_into"):
            self.add_error("merge_into", _("Choose the idea to merge it into."))
        if decision == IdeaStatus.REJECTED and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Tell the author why the idea is not published."))
        return cleaned
