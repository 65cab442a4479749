from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SecurityQuestion(models.TextChoices):
    BIRTH_CITY = "birth_city", _("In what city were you born?")
    FIRST_PET = "first_pet", _("What was the name of your first pet?")
    MOTHER_MAIDEN = "mother_maiden", _("What is your mother's maiden name?")
    FIRST_SCHOOL = "first_school", _("What was the name of your first school?")
    FAVOURITE_BOOK = "favourite_book", _("What is your favourite book?")


def normalize_security_answer(answer: str) -> str:
    """Answers compare case- and space-insensitively."""
    return " ".join(answer.split()).casefold()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: object) -> "User":
        if not email:
            raise ValueError("Users need an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    def by_login(self, login: str) -> "User | None":
        """The account a login form names: by e-mail address or user name, both case-insensitive.

        The e-mail address wins: a user name that looks like someone's address never names them.
        ``login`` is normalized as user names are stored (NFKC).
        """
        login = self.model.normalize_username(login.strip())
        if not login:
            return None
        return self.filter(email__iexact=login).first() or self.filter(username__iexact=login).first()


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a customer organization's staff or the vendor's.

    Signs in by e-mail or, when chosen (seed 000's registration), by user name.
    Vendor agents and administrators are ``is_staff``.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    username = models.CharField(
        _("user name"), max_length=150, unique=True, null=True, blank=True,
        help_text=_("Optional; letters, digits and @/./+/-/_ only."),
    )
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True,
        help_text=_("Dates are shown in this time zone; empty means the portal's default."),
    )
    security_question = models.CharField(
        _("security question"), max_length=32, choices=SecurityQuestion.choices, blank=True
    )
    security_answer_hash = models.CharField(_("security answer (hashed)"), max_length=255, blank=True)
    is_staff = models.BooleanField(
        _("vendor staff"), default=False,
        help_text=_("Agents and administrators of the vendor; they work in the desk."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_away = models.BooleanField(
        _("away"), default=False, help_text=_("Agents who are away get no tickets by automatic assignment.")
    )
    notify_ticket_updates = models.BooleanField(
        _("e-mail me about ticket updates"), default=True,
        help_text=_("Account and security e-mails are always sent."),
    )
    email_verified_at = models.DateTimeField(_("e-mail confirmed at"), null=True, blank=True)
    terms_accepted_at = models.DateTimeField(
        _("terms accepted at"), null=True, blank=True,
        help_text=_("When the user accepted the terms of use and the privacy policy at registration."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    two_factor_remember_epoch = models.PositiveIntegerField(
        _("remembered devices epoch"), default=0,
        help_text=_("Raised to forget every device remembered for two-factor authentication."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []  # noqa: RUF012 (Django's own declaration)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        if self.username == "":
            self.username = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.first_name or self.email

    def set_security_answer(self, answer: str) -> None:
        self.security_answer_hash = make_password(normalize_security_answer(answer))

    def check_security_answer(self, answer: str) -> bool:
        if not self.security_answer_hash:
            return False
        return check_password(normalize_security_answer(answer), self.security_answer_hash)


class TokenPurpose(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    EMAIL_CONFIRMATION = "email_confirmation", _("E-mail confirmation")
    PASSWORD_RESET = "password_reset", _("Password reset")
    UNLOCK = "unlock", _("Unlock after failed logins")


class TokenState(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    USED = "used", _("Used")
    REVOKED = "revoked", _("No longer valid")


class AccountToken(models.Model):
    """A single-use link that expires, sent by e-mail (see ``tokens.py``).

    Only a hash of the token is stored: whoever reads the database cannot use
    the links. A newer link of the same purpose revokes the older ones, and so
    do too many wrong answers on the link's page.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_tokens",
        verbose_name=_("user"),
    )
    purpose = models.CharField(_("purpose"), max_length=32, choices=TokenPurpose.choices)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)

    class Meta:
        verbose_name = _("account link")
        verbose_name_plural = _("account links")
        indexes = [models.Index(fields=["user", "purpose"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} – {self.user_id} ({self.state.label})"

    @property
    def state(self) -> TokenState:
        if self.used_at is not None:
            return TokenState.USED
        if self.revoked_at is not None:
            return TokenState.REVOKED
        if self.expires_at <= timezone.now():
            return TokenState.EXPIRED
        return TokenState.VALID

    @property
    def is_valid(self) -> bool:
        return self.state == TokenState.VALID


class AccountEmail(models.Model):
    """An account e-mail sent to a user; the rate limits on "send it again" count these rows.

    Kept in the database, not a cache, so every web process counts the same ones.
    """

    class Kind(models.TextChoices):
        REGISTRATION = "registration", _("Registration (confirmation or notice)")
        INVITATION = "invitation", _("Invitation")
        PASSWORD_RESET = "password_reset", _("Password reset")
        UNLOCK = "unlock", _("Unlock link after failed logins")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("account e-mail")
        verbose_name_plural = _("account e-mails")
        indexes = [models.Index(fields=["user", "kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class LegalDocument(models.Model):
    """The terms of use and the privacy policy a user accepts at registration, per language.

    The vendor edits them in the administration; without one, a default text is shown.
    """

    class Kind(models.TextChoices):
        TERMS = "terms", _("Terms of use")
        PRIVACY = "privacy", _("Privacy policy")

    kind = models.CharField(_("document"), max_length=16, choices=Kind.choices)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("text"), max_length=200_000, help_text=_("Plain text; an empty line starts a new paragraph.")
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")
        ordering = ["kind", "language"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "language"], name="one_legal_document_per_kind_and_language"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language})"


class UserSession(models.Model):
    """A signed-in session as its owner sees it on the account page: device, address, last use.

    Written at login and refreshed at most every few minutes by ``SessionActivityMiddleware``;
    the session itself lives in Django's session store under the same key.
    """

    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions", verbose_name=_("user")
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("signed in at"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last used at"), default=timezone.now)

    class Meta:
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")
        ordering = ["-last_seen_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.user_agent[:40]}"
