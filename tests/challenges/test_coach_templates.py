"""The coach's partials other pages include: the pre-review checklist and the live panel."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from challenges.coach import Finding

CHECKLIST = "challenges/coach/_checklist.html"
PANEL = "challenges/coach/_coach_panel.html"


def _finding(phrase: str, **kwargs) -> Finding:
    values = {
        "phrase": phrase,
        "start": 0,
        "end": len(phrase),
        "category": "technology",
        "explanation": "Names a technology.",
        "suggestion": "Say what should change.",
        "rule_id": 1,
        "language": "en",
    }
    return Finding(**(values | kwargs))


def _panel(**context) -> str:
    request = RequestFactory().get("/")
    return render_to_string(PANEL, context, request=request)


def test_checklist_without_findings_says_so():
    content = render_to_string(CHECKLIST, {"coach_findings": {}})

    assert "No solution-prescriptive wording found." in content
    assert "<h3" not in content


def test_checklist_lists_findings_grouped_by_field():
    findings = {
        "Title": [_finding("app")],
        "Outcome 1: target": [_finding("sensors"), _finding("<b>Excel</b>", category="brand", language="nb")],
    }

    content = render_to_string(CHECKLIST, {"coach_findings": findings})

    assert re.findall(r"<h3[^>]*>(.*?)</h3>", content) == ["Title", "Outcome 1: target"]
    assert re.findall(r"<mark>(.*?)</mark>", content) == ["app", "sensors", "&lt;b&gt;Excel&lt;/b&gt;"]
    assert "Brand or product name" in content
    assert 'lang="nb">Names a technology.' in content
    assert "Say what should change." in content
    assert "No solution-prescriptive wording found." not in content


@pytest.mark.django_db
def test_panel_loads_the_coach_script_deferred_and_carries_its_settings():
    content = _panel()

    assert '<script src="/static/js/challenges/coach.js" defer></script>' in content
    assert 'data-coach-endpoint="/challenges/coach/check/"' in content
    assert re.search(r'data-coach-csrf="[A-Za-z0-9]{64}"', content)
    assert (
        'data-coach-text-many="The coach flagged {count} phrases that may prescribe a solution."' in content
    )
    assert re.findall(r"<script(?![^>]*\bsrc=)", content) == []
    assert " style=" not in content


@pytest.mark.django_db
def test_panel_without_coach_findings_shows_no_list():
    content = _panel()

    assert "data-coach-initial" not in content
    assert "coach-checklist" not in content


@pytest.mark.django_db
def test_panel_shows_server_rendered_findings_when_given():
    content = _panel(coach_findings={"Short summary": [_finding("chatbot")]})

    assert "data-coach-initial" in content
    assert "<mark>chatbot</mark>" in content
    assert '<h3 class="h6 mt-3">Short summary</h3>' in content


@pytest.mark.django_db
def test_panel_with_no_findings_says_so():
    content = _panel(coach_findings={})

    assert '<p class="coach-checklist-clear">No solution-prescriptive wording found.</p>' in content
