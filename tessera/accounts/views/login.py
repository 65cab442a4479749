import time

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tessera.core.client_ip import client_ip
from tessera.core.operations import operation

from .. import two_factor
from ..forms import LoginForm, LoginVerifyForm, network_wait_message
from ..login_throttle import network_wait_seconds
from ..models import User
from .registration import SESSION_KEY as REGISTERED_EMAIL

#: A login whose password was right and whose second step is still to come: user, backend, next page, when.
PENDING_KEY = "_tessera_2fa_pending"
#: The second step must follow the password within this many seconds.
PENDING_SECONDS = 300


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        if form.unconfirmed_email:
            # "Send the e-mail again" on this page works as on the page shown after registering.
            self.request.session[REGISTERED_EMAIL] = form.unconfirmed_email
        response = super().form_invalid(form)
        if form.has_error("__all__", code="network_wait"):
            response.status_code = 429
        return response

    def form_valid(self, form):
        # Logging in writes the session, the last login and the audit entry: one unit of work.
        user = form.get_user()
        with operation():
            return login_or_second_step(self.request, user, backend=user.backend, next_url=self.get_success_url())


def _remember_cookie_set(response: HttpResponse, value: str) -> None:
    response.set_cookie(
        two_factor.REMEMBER_COOKIE, value, max_age=int(two_factor.REMEMBER_MAX_AGE.total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax",
    )


def remember_cookie_delete(response: HttpResponse) -> None:
    response.delete_cookie(two_factor.REMEMBER_COOKIE, samesite="Lax")


def login_or_second_step(request: HttpRequest, user: User, *, backend: str, next_url: str) -> HttpResponse:
    """Log ``user`` in, whose password (or other first factor) was right; or first ask for the second step.

    Every way into Tessera that logs a user in goes through here, so two-factor authentication cannot be
    walked around. A browser remembered for this user (the signed cookie) skips the second step.
    """
    if two_factor.two_factor_enabled(user):
        if not two_factor.device_is_remembered(user=user, cookie=request.COOKIES.get(two_factor.REMEMBER_COOKIE)):
            request.session[PENDING_KEY] = {"user": user.pk, "backend": backend, "next": next_url, "at": time.time()}
            return redirect("accounts:login_verify")
        login(request, user, backend=backend)
        request.session[two_factor.VERIFIED_SESSION_KEY] = True
        return HttpResponseRedirect(next_url)
    login(request, user, backend=backend)
    return HttpResponseRedirect(next_url)


def _pending_login(request: HttpRequest) -> tuple[User, dict] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=int(pending.get("user") or 0), is_active=True).first()
    return (user, pending) if user is not None else None


def _locked_out(request: HttpRequest, credentials: dict) -> HttpResponse:
    """As for a locked password step: axes' middleware answers with the lockout page (429)."""
    request.session.pop(PENDING_KEY, None)
    request.axes_locked_out = True  # type: ignore[attr-defined]
    request.axes_credentials = credentials  # type: ignore[attr-defined]
    return HttpResponse(status=429)


def login_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login: a code from the authenticator app, or a recovery code.

    Wrong codes count as wrong passwords (django-axes): the same limit locks the account, and its owner
    gets the same unlock link. The network's slow-down applies too.
    """
    found = _pending_login(request)
    if found is None:
        if request.session.pop(PENDING_KEY, None) is not None:
            messages.error(request, _("Your login took too long. Please log in again."))
        return redirect("accounts:login")
    user, pending = found
    credentials = {"username": user.email}
    form = LoginVerifyForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound and form.is_valid():
        wait = network_wait_seconds(client_ip(request))
        if wait:
            form.add_error(None, network_wait_message(wait))
            status = 429
        elif AxesProxyHandler.is_locked(request, credentials):
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            return _locked_out(request, credentials)
        elif two_factor.second_factor_verify(user=user, code=form.cleaned_data["code"]) is None:
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                return _locked_out(request, credentials)
            form.add_error("code", _("The code is not correct. Enter the code your app shows now, or a recovery code."))
        else:
            request.session.pop(PENDING_KEY, None)
            with operation():
                login(request, user, backend=pending["backend"])
                request.session[two_factor.VERIFIED_SESSION_KEY] = True
                response = HttpResponseRedirect(pending["next"])
                if form.cleaned_data["remember"]:
                    _remember_cookie_set(response, two_factor.device_remember(user=user))
            return response
    return render(request, "accounts/login_verify.html", {"form": form}, status=status)


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        with operation():  # the session's end and its audit entry
            return super().post(request, *args, **kwargs)


def remember_language(response, language: str) -> None:
    """The language cookie wins over the saved preference (see UserLanguageMiddleware): keep both in step."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language,
        max_age=settings.LANGUAGE_COOKIE_AGE, samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE, httponly=True,
    )


@require_POST
def language_set(request):
    """Switch the interface language and, for a signed-in user, keep it as their preference."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES) and check_for_language(language):
        if request.user.is_authenticated and request.user.language != language:
            request.user.language = language
            request.user.save(update_fields=["language"])
        remember_language(response, language)
    return response
