import factory
from django.utils import timezone

from challenges.ideas.enums import IdeaStatus
from challenges.ideas.models import Idea, IdeaSupport

from .accounts import BuyerFactory, UserFactory


class IdeaFactory(factory.django.DjangoModelFactory):
    """An idea waiting for moderation; PublishedIdeaFactory for one the public sees."""

    class Meta:
        model = Idea

    city = factory.SubFactory(BuyerFactory)
    author = factory.SubFactory(UserFactory)
    display_name = factory.Sequence(lambda n: f"Resident {n}")
    title = factory.Sequence(lambda n: f"Icy pavements on the way to the health centre {n}")
    problem = (
        "Every winter the pavements between the bus stop and the health centre are icy for weeks. Older "
        "patients fall or stay at home and miss their appointments."
    )
    affected = "Older patients, people with prams or wheelchairs, and the centre's staff."
    location = "Elvegata, from the bus stop to the health centre"
    status = IdeaStatus.PENDING
    language = "en"


class PublishedIdeaFactory(IdeaFactory):
    status = IdeaStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    moderated_at = factory.LazyFunction(timezone.now)


class IdeaSupportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdeaSupport

    idea = factory.SubFactory(PublishedIdeaFactory)
    user = factory.SubFactory(UserFactory)
