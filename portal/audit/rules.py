import rules

from portal.accounts.rules import is_organisation_admin, is_programme_staff

rules.add_perm("audit.view_all_events", is_programme_staff)
rules.add_perm("audit.view_organisation_events", is_organisation_admin | is_programme_staff)
