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


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
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
    security_question = models.CharField(
        _("security question"), max_length=32, choices=SecurityQuestion.choices, blank=True
    )
    security_answer_hash = models.CharField(_("security answer (hashed)"), max_length=255, blank=True)
    is_staff = models.BooleanField(
        _("vendor staff"), default=False,
        help_text=_("Agents and administrators of the vendor; they work in the desk."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    email_verified_at = models.DateTimeField(_("e-mail confirmed at"), null=True, blank=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

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
