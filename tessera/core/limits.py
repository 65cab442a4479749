"""How long free text may be: one number per kind of text, used by the models, the forms and the services.

The form states the limit at the field and refuses more; the service refuses
more whoever calls it (e-mail, the API, a script), so nothing longer is ever
stored or mailed. Inbound mail is cut at the limit instead, its full text kept
as an attachment (``tickets.inbound_mail``).
"""

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

#: A ticket's description, a comment, a reply, an internal note, a canned response.
TEXT_MAX_LENGTH = 50_000
#: A reason or a short message: rejecting a solution or a request, closing, reopening.
REASON_MAX_LENGTH = 10_000
#: A ticket's title.
TITLE_MAX_LENGTH = 200
#: A ticket's external reference (the customer's own number for it).
REFERENCE_MAX_LENGTH = 100


def too_long_message(limit: int, length: int) -> str:
    return _("At most %(limit)s characters: this text has %(length)s.") % {
        "limit": number_format(limit, force_grouping=True), "length": number_format(length, force_grouping=True)
    }


def check_length(value: str, *, field: str, limit: int) -> str:
    """``value`` as given, or a ValidationError for ``field`` when it is longer than ``limit``."""
    if len(value) > limit:
        raise ValidationError({field: too_long_message(limit, len(value))}, code="max_length")
    return value
