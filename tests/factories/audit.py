import factory

from portal.audit.models import AuditEvent


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    actor = None
    actor_label = factory.LazyAttribute(lambda o: o.actor.email if o.actor else "")
    action = "organisation.updated"
    target_label = "Something"
