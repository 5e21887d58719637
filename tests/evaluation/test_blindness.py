"""Blind scoring: no evaluator can reach another evaluator's scores for a proposal, by any URL of the
evaluation (or its open data), before submitting their own sheet for it; afterwards they can."""

import pytest
from django.urls import URLPattern, URLResolver, reverse

from challenges.evaluation import urls as evaluation_urls
from challenges.evaluation import urls_open_data
from challenges.evaluation.models import Evaluator, ScoreSheet

from .conftest import evaluator_of, score

pytestmark = pytest.mark.django_db

SECRET = "SECRET-JUSTIFICATION"


def _patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern):
            yield pattern


def _every_url(ev) -> list[str]:
    """Every URL of the evaluation and open-data apps, with every object id a path could take."""
    ids = {ev["challenge"].pk, ev["bid_a"].pk, ev["bid_b"].pk}
    ids |= set(ScoreSheet.objects.values_list("pk", flat=True))
    ids |= set(Evaluator.objects.values_list("pk", flat=True))
    urls = []
    for namespace, module in (("evaluation", evaluation_urls), ("open_data", urls_open_data)):
        for pattern in _patterns(module.urlpatterns):
            converters = pattern.pattern.converters
            if not converters:
                urls.append(reverse(f"{namespace}:{pattern.name}"))
                continue
            names = list(converters)
            if names == ["pk"] or all(name.endswith("pk") for name in names):
                for value in ids:
                    urls.append(reverse(f"{namespace}:{pattern.name}", kwargs=dict.fromkeys(names, value)))
            else:
                kwargs = {}
                for name, converter in converters.items():
                    kwargs[name] = next(iter(ids)) if converter.regex == "[0-9]+" else "anything"
                try:
                    urls.append(reverse(f"{namespace}:{pattern.name}", kwargs=kwargs))
                except Exception:  # a converter this test does not know: skip the pattern, loudly
                    pytest.fail(f"Cannot build a URL for {namespace}:{pattern.name} {converters}")
    return urls


@pytest.fixture
def scored(opened):
    """The chair and the expert have submitted their sheets for bid A with secret justifications; evaluator
    2 has a draft only."""
    score(opened, "chair", opened["bid_a"], [5, 0], justification=f"{SECRET}-chair")
    score(opened, "expert", opened["bid_a"], [1, 5], justification=f"{SECRET}-expert")
    impact = opened["challenge"].criteria.order_by("position", "pk").first()
    from challenges.evaluation.services.scoring import save_scores

    save_scores(
        evaluator=evaluator_of(opened, "evaluator2"),
        proposal=opened["bid_a"],
        by=opened["evaluator2"],
        values={impact.pk: (3, "my own draft")},
    )
    return opened


def _leaks(client, urls) -> list[str]:
    leaked = []
    for url in urls:
        for method in ("get", "post"):
            response = getattr(client, method)(url, {})
            body = response.content.decode(errors="replace") if response.status_code == 200 else ""
            if SECRET in body:
                leaked.append(f"{method.upper()} {url}")
    return leaked


def test_no_url_shows_other_scores_before_submitting(client, scored):
    client.force_login(scored["evaluator2"])
    urls = _every_url(scored)
    assert len(urls) > 20

    assert _leaks(client, urls) == []


def test_other_scores_appear_once_the_own_sheet_is_submitted(client, scored):
    score(scored, "evaluator2", scored["bid_a"], [3, 3])
    client.force_login(scored["evaluator2"])

    page = client.get(reverse("evaluation:sheet", kwargs={"pk": scored["bid_a"].pk})).content.decode()
    report = client.get(reverse("evaluation:report", kwargs={"pk": scored["challenge"].pk})).content.decode()

    assert f"{SECRET}-chair" in page and f"{SECRET}-expert" in page
    assert f"{SECRET}-chair" in report


def test_submitting_for_one_proposal_does_not_open_another(client, scored):
    score(scored, "chair", scored["bid_b"], [2, 2], justification=f"{SECRET}-chair-b")
    score(scored, "evaluator2", scored["bid_a"], [3, 3])
    client.force_login(scored["evaluator2"])

    assert _leaks(client, [reverse("evaluation:sheet", kwargs={"pk": scored["bid_b"].pk})]) == []
    report = client.get(reverse("evaluation:report", kwargs={"pk": scored["challenge"].pk})).content.decode()
    assert f"{SECRET}-chair-b" not in report


def test_reopened_sheet_hides_the_others_again(client, scored):
    from challenges.evaluation.services.scoring import reopen_sheet

    sheet = score(scored, "evaluator2", scored["bid_a"], [3, 3])
    reopen_sheet(sheet=sheet, by=scored["chair"], reason="Please check the cost criterion")
    client.force_login(scored["evaluator2"])

    assert _leaks(client, _every_url(scored)) == []


@pytest.mark.parametrize(
    "actor", ["procurer", "owner_member", "bidder_a", "staff", "superuser", "conflicted"]
)
def test_nobody_outside_reads_scores_in_flight(client, scored, actor):
    client.force_login(scored[actor])

    assert _leaks(client, _every_url(scored)) == []


def test_owner_admin_reads_the_scores_once_all_sheets_are_in(client, scored):
    from .conftest import submit_all

    submit_all(scored)
    client.force_login(scored["procurer"])

    report = client.get(reverse("evaluation:report", kwargs={"pk": scored["challenge"].pk})).content.decode()
    assert f"{SECRET}-chair" in report


def test_admin_hides_scores_until_the_outcome(admin_client, scored):
    for model in ("scoresheet", "score", "consensusscore"):
        page = admin_client.get(reverse(f"admin:evaluation_{model}_changelist")).content.decode()
        assert SECRET not in page
        assert "0 " in page or "0&nbsp;" in page or "empty" in page.lower() or "0 results" in page
    from challenges.evaluation.models import Score

    score_row = Score.objects.filter(justification__startswith=SECRET).first()
    assert admin_client.get(reverse("admin:evaluation_score_change", args=[score_row.pk])).status_code == 302


def test_admin_shows_scores_after_the_outcome(admin_client, scored):
    scored["challenge"].status = "awarded"
    scored["challenge"].save()
    from challenges.evaluation.models import Score

    score_row = Score.objects.filter(justification__startswith=SECRET).first()
    assert (
        SECRET
        in admin_client.get(reverse("admin:evaluation_score_change", args=[score_row.pk])).content.decode()
    )


def test_admin_on_the_panel_reads_no_scores_before_submitting_their_own(client, scored):
    """An admin of the buyer who sits on the panel is blind like any evaluator: being an admin reads no
    score early, on any page."""
    client.force_login(scored["admin_evaluator"])

    assert _leaks(client, _every_url(scored)) == []

    score(scored, "admin_evaluator", scored["bid_a"], [3, 3])
    page = client.get(reverse("evaluation:sheet", kwargs={"pk": scored["bid_a"].pk})).content.decode()
    assert f"{SECRET}-chair" in page
