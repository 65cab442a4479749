from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.http import require_POST

from tessera.core.operations import operation

from ..forms import LoginForm
from .registration import SESSION_KEY as REGISTERED_EMAIL


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
        with operation():
            return super().form_valid(form)


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
