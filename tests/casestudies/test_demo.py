"""The demo's case studies: one per demo challenge that ended, published, with the capability it
illustrates; the exchange demo's case study tagged too; loading twice changes nothing."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from challenges.casestudies.demo import load_case_study_demo
from challenges.casestudies.enums import Capability, CaseOutcome, CaseSource
from challenges.casestudies.models import CaseStudy

pytestmark = pytest.mark.django_db


def test_demo_case_studies(client):
    call_command("load_demo")

    load_case_study_demo()

    published = CaseStudy.objects.published()
    assert {(c.outcome, c.capability) for c in published.filter(source=CaseSource.CHALLENGE)} == {
        (CaseOutcome.AWARDED, Capability.SUPPLIER_DIALOGUE),
        (CaseOutcome.NOT_AWARDED, Capability.INTERNAL_COLLABORATION),
        (CaseOutcome.CANCELLED, Capability.MANAGEMENT_ANCHORING),
    }
    turku = published.get(source=CaseSource.EXCHANGE)
    assert (turku.title, turku.capability) == ("BUILD exchange in Turku", Capability.MUNICIPAL_COLLABORATION)
    for case_study in published:
        assert case_study.challenge is None or case_study.owner_id == case_study.challenge.owner_id
        assert case_study.lesson_list
    page = client.get(reverse("casestudies:case-study-list")).content.decode()
    assert "Reusing construction materials from demolished municipal buildings" in page
    assert client.get(published.first().get_absolute_url()).status_code == 200

    assert load_case_study_demo() == 0
    assert CaseStudy.objects.count() == 4
