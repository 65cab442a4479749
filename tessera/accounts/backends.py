from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q


class EmailOrUsernameBackend(ModelBackend):
    """Sign in with the e-mail address or the user name, both case-insensitive."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        login = username or kwargs.get("email")
        if not login or password is None:
            return None
        User = get_user_model()
        user = User.objects.by_login(login)
        if user is None:
            # Spend the same time as for a real user, so timing tells nothing.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        # Every page asks for the user's membership and organization: load them with the user. The header
        # shows "Administration" only to whom the admin has something to offer: a permission, own or a group's.
        User = get_user_model()
        admin_permissions = Permission.objects.filter(Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk")))
        user = (
            User.objects.select_related("membership__organization")
            .annotate(has_admin_permissions=Exists(admin_permissions))
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
