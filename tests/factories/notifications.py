import factory

from portal.notifications.enums import OutboxStatus
from portal.notifications.models import EmailPreference, Notification, OutboxMail, ReminderRecord

from .accounts import UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = "accounts.role_changed"
    title = factory.Sequence(lambda n: f"Notification {n}")
    url = "/"


class OutboxMailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboxMail

    recipient = factory.SubFactory(UserFactory)
    to_email = factory.LazyAttribute(lambda o: o.recipient.email if o.recipient else "someone@example.org")
    kind = "accounts.role_changed"
    subject = factory.Sequence(lambda n: f"Subject {n}")
    body_text = "Body"
    body_html = "<p>Body</p>"
    status = OutboxStatus.PENDING


class EmailPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmailPreference

    user = factory.SubFactory(UserFactory)
    kind = "accounts.role_changed"
    email_enabled = False


class ReminderRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReminderRecord

    user = factory.SubFactory(UserFactory)
    key = factory.Sequence(lambda n: f"challenge:{n}:deadline-7d")
