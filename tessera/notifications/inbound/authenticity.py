"""Whether a received mail really comes from its sender, as the receiving mail server found.

Tessera does not check SPF, DKIM or DMARC itself: the mail server that took the
mail from the internet does, and writes what it found in an
``Authentication-Results`` header (RFC 8601) named after itself (its
"authserv-id"). Anyone can write such a header into a mail, so only a header
carrying an authserv-id listed in ``TESSERA_INBOUND_TRUSTED_AUTHSERV_IDS`` counts,
and the receiving server must remove headers with its own id from incoming mail
(Postfix with OpenDMARC, rspamd and Exchange Online do; docs/deploy.md shows how).

``sender_authenticated`` answers:

- ``True``: a trusted server found ``dmarc=pass`` for the From domain;
- ``False``: a trusted server checked the mail and DMARC did not pass
  (fail, none, temperror, or no DMARC verdict at all);
- ``None``: no server is trusted (the setting is empty) or no trusted server
  wrote a header: nothing is known either way.
"""

import re

from django.conf import settings

from .message import InboundMail

_RESULT = re.compile(r"(?:^|;)\s*dmarc\s*=\s*([a-z]+)", re.IGNORECASE)


def trusted_authserv_ids() -> set[str]:
    return {value.strip().lower() for value in settings.TESSERA_INBOUND_TRUSTED_AUTHSERV_IDS if value.strip()}


def _authserv_id(value: str) -> str:
    # "mx.example.org; dkim=pass ..." or "mx.example.org 1; ..." (an optional version after the id).
    return value.split(";", 1)[0].strip().split()[0].lower() if value.strip() else ""


def sender_authenticated(mail: InboundMail) -> bool | None:
    trusted = trusted_authserv_ids()
    if not trusted:
        return None
    verdicts = [
        _RESULT.findall(value)
        for key, value in mail.message.raw_items()
        if key.lower() == "authentication-results" and _authserv_id(" ".join(str(value).split())) in trusted
    ]
    if not verdicts:
        return None
    # The topmost trusted header is the one our own server wrote last; take its verdict.
    return [result.lower() for result in verdicts[0]] == ["pass"]
