"""What other apps may want to hear of an organization's memberships (they listen; we don't import them)."""

from django.dispatch import Signal

#: Sent inside the unit of work that deactivated a membership; ``user`` is the member. Accounts
#: ends the user's sessions at once.
membership_deactivated = Signal()

#: Sent inside the unit of work that made a user an active member of an organization (a link request approved,
#: a restricted member activated); ``membership`` is the membership. Webhooks tell it after the commit.
membership_linked = Signal()
