"""Log in through an OpenID provider (mozilla-django-oidc's views, one set for all providers), link an existing
account once it is proved, and log out at the provider too.

Which provider a login comes back from is kept in the session by its ``state``: one callback URL serves them all,
and an answer whose state this session did not send is refused.
"""

from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from mozilla_django_oidc import views as oidc_views

from tessera.accounts.views.login import login_or_second_step
from tessera.core.operations import operation

from . import services
from .backends import REQUEST_PROVIDER
from .forms import LinkPasswordForm
from .providers import Provider, ProviderUnavailable, provider_display_name, provider_get

#: state → provider name, for the logins this session has started.
STATES = "tessera_sso_states"
#: The provider the current session logged in through (for the logout at the provider).
LOGGED_IN_WITH = "tessera_sso_provider"
#: An identity waiting for its account's owner to prove the account, and the wrong passwords typed so far.
PENDING = "tessera_sso_pending"
PENDING_FAILURES = "tessera_sso_pending_failures"
MAX_PASSWORD_FAILURES = 5
BACKEND = "tessera.sso.backends.OidcBackend"


def error_page(request: HttpRequest, message: str, *, status: int, provider: Provider | None = None) -> HttpResponse:
    """A refused or failed login, in the site's layout, with the ways that still work."""
    return render(
        request, "sso/error.html", {"message": message, "provider": provider}, status=status,
    )


def _provider_or_404(name: str) -> Provider:
    provider = provider_get(name)
    if provider is None:
        raise Http404
    return provider


@login_not_required
def login_start(request: HttpRequest, provider: str) -> HttpResponse:
    """"Log in with …": to the provider's authorization endpoint, with state, nonce and a PKCE challenge."""
    chosen = _provider_or_404(provider)
    try:
        configuration = chosen.configuration()
    except ProviderUnavailable as error:
        return error_page(request, error.message, status=503, provider=chosen)
    response = _AuthenticationRequest(provider=chosen, configuration=configuration).get(request)
    state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
    states = request.session.get(STATES, {})
    states = dict(list(states.items())[-19:])  # the latest logins of this browser, no more
    states[state] = chosen.name
    request.session[STATES] = states
    return response


class _AuthenticationRequest(oidc_views.OIDCAuthenticationRequestView):
    def __init__(self, *, provider: Provider, configuration: dict) -> None:
        self.provider = provider
        self.OIDC_OP_AUTH_ENDPOINT = configuration["authorization_endpoint"]
        self.OIDC_RP_CLIENT_ID = provider.client_id

    def get_settings(self, attr, *args):
        if attr == "OIDC_RP_SCOPES":
            return self.provider.scopes
        return oidc_views.import_from_settings(attr, *args)


class CallbackView(oidc_views.OIDCAuthenticationCallbackView):
    """The provider's answer. The library checks state, exchanges the code with the PKCE verifier and verifies
    the ID token and its nonce; every way that fails ends on a page that says so, in the site's layout."""

    provider: Provider | None = None

    def get(self, request):
        state = request.GET.get("state", "")
        name = request.session.get(STATES, {}).get(state)
        self.provider = provider_get(name) if name else None
        if self.provider is not None:
            states = dict(request.session[STATES])
            del states[state]
            request.session[STATES] = states
        if request.GET.get("error"):
            request.session.get("oidc_states", {}).pop(state, None)
            request.session.modified = True
            return error_page(
                request, _("The login at the provider was cancelled or refused. Please try again."),
                status=400, provider=self.provider,
            )
        if self.provider is None or state not in request.session.get("oidc_states", {}):
            return error_page(
                request,
                _(
                    "This login could not be completed: it was started in another browser window, has expired, "
                    "or was already used. Please start again."
                ),
                status=400,
            )
        setattr(request, REQUEST_PROVIDER, self.provider)
        try:
            with operation():  # the account, its identity, the session and the audit entry: one unit of work
                return super().get(request)
        except services.LinkRequired as pending:
            request.session[PENDING] = pending.identity.as_session()
            request.session[PENDING_FAILURES] = 0
            return redirect("sso:link")
        except services.SsoRefused as refusal:
            return error_page(request, refusal.message, status=403, provider=self.provider)
        except ProviderUnavailable as error:
            return error_page(request, error.message, status=503, provider=self.provider)
        except requests.HTTPError as error:
            if error.response is not None and error.response.status_code < 500:
                return error_page(
                    request,
                    _("The provider did not accept this login: it may have been used already. Please start again."),
                    status=400, provider=self.provider,
                )
            return error_page(request, _down(self.provider), status=503, provider=self.provider)
        except requests.RequestException:
            return error_page(request, _down(self.provider), status=503, provider=self.provider)
        except SuspiciousOperation:
            return error_page(
                request,
                _("The provider's answer could not be verified, so you were not logged in. Please start again."),
                status=400, provider=self.provider,
            )

    def login_failure(self):
        return error_page(
            self.request, _("The login through the provider did not succeed. Please start again."),
            status=400, provider=self.provider,
        )

    def login_success(self):
        """Logged in through the provider: as after a right password, two-factor authentication may ask first.

        (mozilla-django-oidc's own ``login_success`` would log in at once; the session refresh it prepares
        is not used here.)
        """
        assert self.provider is not None
        self.request.session[LOGGED_IN_WITH] = self.provider.name
        return login_or_second_step(self.request, self.user, backend=self.user.backend, next_url=self.success_url)

    @property
    def success_url(self):
        return self.request.session.get("oidc_login_next") or resolve_url(settings.LOGIN_REDIRECT_URL)


def _down(provider: Provider | None) -> str:
    name = provider_display_name(provider) if provider is not None else _("The provider")
    return _(
        "%(provider)s cannot be reached at the moment. Please try again in a few minutes, or log in with "
        "your e-mail address and password if you have one."
    ) % {"provider": name}


def _pending(request: HttpRequest) -> tuple[services.ProviderIdentity, Provider] | None:
    data = request.session.get(PENDING)
    if not data:
        return None
    identity = services.ProviderIdentity(**data)
    provider = provider_get(identity.provider)
    return (identity, provider) if provider is not None else None


@login_not_required
def link(request: HttpRequest) -> HttpResponse:
    """An account with this address exists: its owner proves it with the password, or asks for an e-mail link."""
    pending = _pending(request)
    if pending is None:
        return redirect("accounts:login")
    identity, provider = pending
    user = services.User.objects.filter(email__iexact=identity.email, is_active=True).first()
    if user is None:
        request.session.pop(PENDING, None)
        return redirect("accounts:login")
    form = LinkPasswordForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound and form.is_valid():
        if user.has_usable_password() and user.check_password(form.cleaned_data["password"]):
            try:
                with operation():
                    services.sso_identity_link(user=user, identity=identity, proof="password")
                    request.session.pop(PENDING, None)
                    request.session[LOGGED_IN_WITH] = provider.name
                    response = login_or_second_step(
                        request, user, backend=BACKEND, next_url=resolve_url(settings.LOGIN_REDIRECT_URL)
                    )
            except services.SsoRefused as refusal:
                return error_page(request, refusal.message, status=403, provider=provider)
            return response
        failures = request.session.get(PENDING_FAILURES, 0) + 1
        request.session[PENDING_FAILURES] = failures
        if failures >= MAX_PASSWORD_FAILURES:
            request.session.pop(PENDING, None)
            return error_page(
                request, _("Too many wrong passwords. Please log in through the provider again."),
                status=403, provider=provider,
            )
        form.add_error("password", _("This is not the password of your account in this portal."))
        status = 400
    return render(
        request, "sso/link.html",
        {"form": form, "identity": identity, "provider": provider, "has_password": user.has_usable_password()},
        status=status,
    )


@login_not_required
@require_POST
def link_email(request: HttpRequest) -> HttpResponse:
    """Send the link that proves the account to its address."""
    pending = _pending(request)
    if pending is None:
        return redirect("accounts:login")
    identity, provider = pending
    user = services.User.objects.filter(email__iexact=identity.email, is_active=True).first()
    if user is not None:
        services.sso_link_email_send(user=user, identity=identity, provider_label=provider_display_name(provider))
    # One e-mail per login through the provider: another needs another login there.
    request.session.pop(PENDING, None)
    return render(request, "sso/link_sent.html", {"email": identity.email, "provider": provider})


@login_not_required
def link_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mailed link: a button links the identity (a GET alone changes nothing, for mail scanners)."""
    found = services.sso_link_token_read(token)
    if found is None:
        return render(request, "sso/link_invalid.html", status=410)
    user, identity = found
    provider = provider_get(identity.provider)
    if provider is None:
        raise Http404
    if request.method == "POST":
        try:
            services.sso_identity_link(user=user, identity=identity, proof="email")
        except services.SsoRefused as refusal:
            return error_page(request, refusal.message, status=403, provider=provider)
        return render(request, "sso/link_done.html", {"provider": provider})
    return render(request, "sso/link_confirm.html", {"provider": provider, "identity": identity})


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Log out here and, when the provider offers it (end_session_endpoint), there too."""
    end_session = _end_session_url(request)
    with operation():  # the session's end and its audit entry
        auth.logout(request)
    if end_session is None:
        return redirect(settings.LOGOUT_REDIRECT_URL)
    # A page, not a redirect: the site's CSP (form-action 'self') stops a form's redirect to another origin.
    return render(request, "sso/logout.html", {"end_session": end_session})


def _end_session_url(request: HttpRequest) -> str | None:
    provider = provider_get(request.session.get(LOGGED_IN_WITH) or "")
    if provider is None:
        return None
    try:
        endpoint = provider.configuration().get("end_session_endpoint")
    except ProviderUnavailable:
        return None
    if not isinstance(endpoint, str) or not endpoint:
        return None
    params = {
        "client_id": provider.client_id,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse(settings.LOGOUT_REDIRECT_URL)),
    }
    id_token = request.session.get("oidc_id_token")
    if id_token:
        params["id_token_hint"] = id_token
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"
