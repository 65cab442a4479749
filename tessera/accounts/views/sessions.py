"""Where the user is signed in: every session with device, address and last use, and a way to end it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .. import sessions
from ..models import UserSession


@login_required
def session_list(request):
    current = request.session.session_key
    rows = [
        {"session": session, "device": sessions.device_name(session.user_agent),
         "is_current": session.session_key == current}
        for session in sessions.sessions_of(request.user)
    ]
    rows.sort(key=lambda row: not row["is_current"])  # this device first
    return render(request, "accounts/sessions.html", {"rows": rows, "others": sum(not r["is_current"] for r in rows)})


@login_required
@require_POST
def session_end(request, session_id: int):
    get_object_or_404(UserSession, pk=session_id, user=request.user)  # another user's session: no such page
    sessions.session_end(user=request.user, session_id=session_id)
    messages.success(request, _("The session has been ended: that device is signed out."))
    return redirect("accounts:sessions")


@login_required
@require_POST
def sessions_end_others(request):
    ended = sessions.sessions_end_others(user=request.user, keep_session_key=request.session.session_key or "")
    messages.success(
        request,
        ngettext("%(count)d other session has been ended.", "%(count)d other sessions have been ended.", ended)
        % {"count": ended},
    )
    return redirect("accounts:sessions")
