"""The ideas admin: an operator's edit (a redaction, say) is recorded, by field name only, for programme
staff; the resident-facing states stay read-only."""

import pytest
from django.urls import reverse

from challenges.ideas.models import Idea
from portal.audit.models import AuditEvent
from tests.factories.accounts import AdminMembershipFactory, UserFactory
from tests.factories.ideas import PublishedIdeaFactory

pytestmark = pytest.mark.django_db


def test_an_edit_in_the_admin_is_recorded_for_programme_staff_only(client, city):
    idea = PublishedIdeaFactory(city=city, problem="Kari Nordmann at number 4 leaves her bins on the path.")
    operator = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(operator)
    url = reverse("admin:ideas_idea_change", args=[idea.pk])

    response = client.post(
        url,
        {
            "title": idea.title,
            "problem": "A neighbour leaves bins on the path.",
            "affected": idea.affected,
            "location": idea.location,
            "display_name": idea.display_name,
        },
    )

    assert response.status_code == 302
    assert Idea.objects.get().problem == "A neighbour leaves bins on the path."
    event = AuditEvent.objects.get(action="idea.edited_in_admin")
    assert (event.actor, event.organisation, event.data) == (operator, None, {"fields": ["problem"]})
    assert "Kari" not in str(event.data) + event.target_label
    assert not AuditEvent.objects.visible_to(AdminMembershipFactory(organisation=city).user).exists()
