"""Two-factor authentication: an authenticator app (TOTP), recovery codes, and remembered devices.

django-otp keeps the devices. A confirmed ``TOTPDevice`` means two-factor authentication is on;
a ``StaticDevice`` named "recovery" holds the recovery codes, one ``StaticToken`` each. A token
row holds a hash of its code, never the code: the codes are shown once, and whoever reads the
database cannot use them. A code is random (about 59 bits), so a fast salted hash is enough, as
for the e-mailed links (``tokens.py``); it is deleted when used, so it works once.

Wrong codes are counted by django-axes as wrong passwords are (the views send
``user_login_failed``): the same limit locks the account and sends the same unlock link.

A remembered device is a signed, HttpOnly cookie that names the user and carries an HMAC of
their password hash, their authenticator's secret and a counter on the user. Changing the
password, turning two-factor authentication off (the secret goes) or "forget remembered
devices" (the counter goes up) makes every such cookie worthless at once.
"""

import base64
import hashlib
import io
import secrets
from binascii import unhexlify
from collections.abc import Iterable
from datetime import timedelta
from typing import Literal
from urllib.parse import quote, urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from tessera.audit.models import AuditAction
from tessera.audit.services import audit_record
from tessera.branding.selectors import current_branding
from tessera.core.operations import unit_of_work
from tessera.notifications.emails import absolute_url, send_email_to_user

from .models import User

TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"
RECOVERY_CODE_COUNT = 10
#: No 0/o, 1/l/i: a code copied from paper is read back as written.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 12

REMEMBER_COOKIE = "tessera_2fa_remember"
REMEMBER_DAYS = 30
REMEMBER_MAX_AGE = timedelta(days=REMEMBER_DAYS)
_REMEMBER_SALT = "tessera.accounts.two_factor.remember"

#: In a session that passed the second step (or set it up): the middleware asks no further.
VERIFIED_SESSION_KEY = "_tessera_2fa"

SecondFactor = Literal["totp", "recovery"]
WRONG_CODE = "wrong_code"


# --- who has it, who needs it ---------------------------------------------------------------------------------------


def two_factor_enabled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_required(user: User) -> bool:
    """Staff when TESSERA_REQUIRE_2FA_STAFF is on; members of an organization that requires it.

    Reads only what the login backend loaded with the user (membership and organization): no query.
    """
    if user.is_staff or user.is_superuser:
        return bool(settings.TESSERA_REQUIRE_2FA_STAFF)
    membership = getattr(user, "membership", None)
    return membership is not None and membership.organization.require_two_factor


def two_factor_user_ids(user_ids: Iterable[int]) -> set[int]:
    """Which of ``user_ids`` have two-factor authentication on: one query, whatever their number."""
    return set(
        TOTPDevice.objects.filter(user_id__in=list(user_ids), confirmed=True).values_list("user_id", flat=True)
    )


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE_NAME).count()


# --- setting it up: the secret, its QR code -------------------------------------------------------------------------


def totp_key_new() -> str:
    """A fresh secret (hex, 20 bytes), kept in the session until the user confirms it with a code."""
    return random_hex(20)


def totp_secret_for_display(key: str) -> str:
    """The secret as authenticator apps take it when typed: base32, in groups of four."""
    secret = base64.b32encode(unhexlify(key)).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_config_url(*, user: User, key: str) -> str:
    """The otpauth:// URL the QR code holds (Google's Key URI format, as django-otp writes it)."""
    issuer = current_branding().product_name.replace(":", "")
    label = quote(f"{issuer}:{user.email}")
    params = urlencode({"secret": base64.b32encode(unhexlify(key)).decode().rstrip("="), "algorithm": "SHA1",
                        "digits": 6, "period": 30})
    return f"otpauth://totp/{label}?{params}&issuer={quote(issuer)}"


def totp_qr_data_uri(url: str) -> str:
    """The QR code of ``url`` as an SVG data URI: drawn by Tessera, no image service sees the secret."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _totp_matches(key: str, code: str) -> int | None:
    """The time step ``code`` belongs to (this one, the one before or after), or None."""
    code = code.strip().replace(" ", "")
    if not code.isdigit():
        return None
    totp = TOTP(unhexlify(key))
    return totp.t() if totp.verify(int(code), tolerance=1) else None


# --- recovery codes -------------------------------------------------------------------------------------------------


def normalize_recovery_code(code: str) -> str:
    return "".join(character for character in code.lower() if character.isalnum())


def _recovery_hash(user: User, code: str) -> str:
    # 16 characters fit django-otp's token column: 96 bits of SHA-256, salted with the user.
    digest = hashlib.sha256(f"tessera-recovery:{user.pk}:{normalize_recovery_code(code)}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode()


def _recovery_codes_new(user: User) -> list[str]:
    """Replace the user's recovery codes; the new ones are returned, to be shown once."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = []
    for _n in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _i in range(RECOVERY_CODE_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4)))
    StaticToken.objects.bulk_create(StaticToken(device=device, token=_recovery_hash(user, code)) for code in codes)
    return codes


# --- e-mail and audit: every change -------------------------------------------------------------------------------


def _tell(user: User, *, action: AuditAction, event: str, **context: object) -> None:
    audit_record(action=action, actor=user, target=user)
    send_email_to_user(
        "account_two_factor", user=user,
        context={"event": event, "settings_link": absolute_url(reverse("accounts:two_factor")),
                 "reset_link": absolute_url(reverse("accounts:password_reset")), **context},
    )


# --- the services ---------------------------------------------------------------------------------------------------


@unit_of_work
def two_factor_enable(*, user: User, key: str, code: str) -> list[str]:
    """Turn two-factor authentication on with the secret the user's app now holds; returns the recovery codes."""
    if two_factor_enabled(user):
        raise ValidationError({"code": _("Two-factor authentication is already on.")})
    time_step = _totp_matches(key, code)
    if time_step is None:
        raise ValidationError({"code": _("The code is not correct. Check the time on your phone and try again.")})
    TOTPDevice.objects.filter(user=user).delete()
    # last_t: the code just typed, and earlier ones, never work again.
    TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, key=key, confirmed=True, last_t=time_step)
    codes = _recovery_codes_new(user)
    _tell(user, action=AuditAction.TWO_FACTOR_ENABLE, event="enabled")
    return codes


def second_factor_verify(*, user: User, code: str) -> SecondFactor | None:
    """Check a code from the app, or a recovery code (which is then used up). None when neither matches.

    The devices are locked for the check (django-otp's ``for_verify``): one code, one success, even from two
    requests at once. A recovery code used is audited and told to the user by e-mail.
    """
    code = code.strip()
    with transaction.atomic():
        if code.replace(" ", "").isdigit():
            totp = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            if totp is not None and totp.verify_token(code.replace(" ", "")):
                return "totp"
            return None
        if not normalize_recovery_code(code):
            return None
        recovery = StaticDevice.objects.select_for_update().filter(user=user, name=RECOVERY_DEVICE_NAME).first()
        if recovery is None or not recovery.verify_token(_recovery_hash(user, code)):
            return None
        _tell(user, action=AuditAction.TWO_FACTOR_RECOVERY_CODE_USED, event="recovery_code_used",
              codes_left=recovery.token_set.count())
        return "recovery"


def _wrong_code() -> ValidationError:
    return ValidationError({"code": ValidationError(_("The code is not correct."), code=WRONG_CODE)})


def is_wrong_code(error: ValidationError) -> bool:
    """A refusal for a wrong code (which counts towards the account's lock), not for another reason."""
    errors = getattr(error, "error_dict", {}).get("code", [])
    return any(item.code == WRONG_CODE for item in errors)


def two_factor_disable(*, user: User, code: str) -> None:
    """Turn it off: with a current code (or a recovery code). Refused where it is required.

    Not one unit of work as a whole: a recovery code used up stays used, even when the call fails later.
    """
    if two_factor_required(user):
        raise ValidationError({"code": _("Two-factor authentication is required for your account: it stays on.")})
    if second_factor_verify(user=user, code=code) is None:
        raise _wrong_code()
    _two_factor_remove(user)


@unit_of_work
def _two_factor_remove(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _tell(user, action=AuditAction.TWO_FACTOR_DISABLE, event="disabled")


def recovery_codes_regenerate(*, user: User, code: str) -> list[str]:
    """New recovery codes (the old ones stop working), with a current code as proof."""
    if not two_factor_enabled(user):
        raise ValidationError({"code": _("Two-factor authentication is off.")})
    if second_factor_verify(user=user, code=code) is None:
        raise _wrong_code()
    return _recovery_codes_replace(user)


@unit_of_work
def _recovery_codes_replace(user: User) -> list[str]:
    codes = _recovery_codes_new(user)
    _tell(user, action=AuditAction.TWO_FACTOR_RECOVERY_CODES, event="codes_regenerated")
    return codes


# --- remembered devices -----------------------------------------------------------------------------------------


def _remember_hash(user: User) -> str | None:
    key = TOTPDevice.objects.filter(user=user, confirmed=True).values_list("key", flat=True).first()
    if key is None:
        return None
    value = f"{user.pk}:{user.password}:{key}:{user.two_factor_remember_epoch}"
    return salted_hmac(_REMEMBER_SALT, value, algorithm="sha256").hexdigest()


@unit_of_work
def device_remember(*, user: User) -> str:
    """The value of the cookie that spares this browser the second step for 30 days."""
    fingerprint = _remember_hash(user)
    if fingerprint is None:
        raise ValidationError(_("Two-factor authentication is off."))
    _tell(user, action=AuditAction.TWO_FACTOR_DEVICE_REMEMBER, event="device_remembered", days=REMEMBER_DAYS)
    return signing.dumps({"u": user.pk, "h": fingerprint}, salt=_REMEMBER_SALT)


def device_is_remembered(*, user: User, cookie: str | None) -> bool:
    if not cookie:
        return False
    try:
        payload = signing.loads(cookie, salt=_REMEMBER_SALT, max_age=REMEMBER_MAX_AGE)
    except signing.BadSignature:
        return False
    if not isinstance(payload, dict) or payload.get("u") != user.pk:
        return False
    fingerprint = _remember_hash(user)
    return fingerprint is not None and constant_time_compare(str(payload.get("h", "")), fingerprint)


@unit_of_work
def remembered_devices_forget(*, user: User) -> None:
    """Every browser remembered so far asks for the second step again."""
    User.objects.filter(pk=user.pk).update(two_factor_remember_epoch=F("two_factor_remember_epoch") + 1)
    user.refresh_from_db(fields=["two_factor_remember_epoch"])
    _tell(user, action=AuditAction.TWO_FACTOR_DEVICES_FORGET, event="devices_forgotten")
