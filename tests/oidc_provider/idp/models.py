from django.conf import settings
from django.db import models


class Profile(models.Model):
    """Whether the provider has confirmed the user's e-mail address; None: it says nothing about it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    email_verified = models.BooleanField(null=True)
    confirm_token = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.email_verified})"
