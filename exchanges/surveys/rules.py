"""Who may do what with surveys. Programme staff build and read them; who answers an event's survey is the
exchanges app's decision (it hosts the answering page)."""

import rules

from portal.accounts.rules import is_programme_staff

rules.add_perm("surveys.manage_surveys", is_programme_staff)
