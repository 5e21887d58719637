"""Who may see and record what on the dashboards. Predicates run no queries (a user's roles are read once
per request; a programme's buyers are prefetched by the view that asks)."""

import rules

from portal.accounts.rules import is_organisation_admin, is_organisation_member, is_programme_staff


@rules.predicate
def is_buyer_organisation(user, organisation) -> bool:
    return organisation is not None and organisation.is_buyer


# The programme dashboard across all its organisations: programme staff only.
rules.add_perm("insight.view_programme_dashboard", is_programme_staff)
# An organisation's own figures against its programme's average: its admins and programme staff.
rules.add_perm(
    "insight.view_organisation_dashboard",
    is_buyer_organisation & (is_organisation_admin | is_programme_staff),
)
# Procurement volumes (the share's denominator): admins record them; members and staff read them.
rules.add_perm(
    "insight.view_procurement_volumes", is_buyer_organisation & (is_organisation_member | is_programme_staff)
)
rules.add_perm("insight.record_procurement_volume", is_buyer_organisation & is_organisation_admin)
# The capability self-assessment: admins answer it; members and staff read the results.
rules.add_perm(
    "insight.view_capability_assessments",
    is_buyer_organisation & (is_organisation_member | is_programme_staff),
)
rules.add_perm("insight.submit_capability_assessment", is_buyer_organisation & is_organisation_admin)
