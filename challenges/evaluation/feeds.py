"""An Atom feed of new challenges and award decisions, for people and tools that follow the portal's
procurements without polling the OCDS packages."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import ocds
from .enums import AwardDecision, AwardStatus
from .selectors.open_data import FeedEntry, feed_entries


class OpenDataFeed(Feed):
    feed_type = Atom1Feed
    title = gettext_lazy("New challenges and awards")
    subtitle = gettext_lazy(
        "Challenges published on the portal and the decisions that end them, newest first. The same "
        "information, and more, is in the OCDS release packages."
    )

    def link(self) -> str:
        return reverse("open_data:index")

    def feed_url(self) -> str:
        return reverse("open_data:feed")

    def feed_guid(self) -> str:
        return f"{settings.SITE_URL}{reverse('open_data:feed')}"

    def author_name(self) -> str:
        return settings.PORTAL_NAME

    def items(self) -> list[FeedEntry]:
        return feed_entries()

    def item_title(self, item: FeedEntry) -> str:
        if item.kind == "tender":
            return _("New challenge: %(title)s") % {"title": item.challenge.title}
        if item.award.decision == AwardDecision.NO_AWARD:
            return _("Not awarded: %(title)s") % {"title": item.challenge.title}
        return _("Awarded: %(title)s") % {"title": item.challenge.title}

    def item_description(self, item: FeedEntry) -> str:
        challenge = item.challenge
        if item.kind == "tender":
            return " ".join(
                part
                for part in [
                    _("%(buyer)s is looking for solutions.") % {"buyer": challenge.owner.name},
                    challenge.summary,
                ]
                if part
            )
        award = item.award
        if award.decision == AwardDecision.NO_AWARD:
            return _("%(buyer)s decided not to award a contract.") % {"buyer": challenge.owner.name}
        winners = [
            _("%(supplier)s (%(value)s %(currency)s)")
            % {
                "supplier": awarded.proposal.supplier.name,
                "value": number_format(awarded.value, decimal_pos=2, force_grouping=True),
                "currency": challenge.currency,
            }
            for awarded in award.awarded.all()
        ]
        text = _("%(buyer)s awarded the contract to %(suppliers)s.") % {
            "buyer": challenge.owner.name,
            "suppliers": ", ".join(winners),
        }
        if award.status == AwardStatus.STANDSTILL:
            text += " " + _("The decision is in its standstill period and not final yet.")
        return text

    def item_link(self, item: FeedEntry) -> str:
        return item.challenge.get_absolute_url()

    def item_guid(self, item: FeedEntry) -> str:
        # The release in the challenge's package: stable, unique, and a URI as Atom's id must be.
        ocid = ocds.ocid_for(item.challenge)
        release = f"{ocid}-tender-1" if item.kind == "tender" else f"{ocid}-award-{item.award.pk}"
        package = reverse("open_data:challenge-releases", kwargs={"pk": item.challenge.pk})
        return f"{ocds.absolute(package)}#{release}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: FeedEntry):
        return item.date

    def item_updateddate(self, item: FeedEntry):
        return item.date

    def item_author_name(self, item: FeedEntry) -> str:
        return item.challenge.owner.name
