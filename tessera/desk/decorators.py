from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404


def staff_required(view):
    """Desk pages: anonymous users are sent to log in, customers find nothing (404)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_staff):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
