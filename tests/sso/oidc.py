"""The test OpenID provider (tests/oidc_provider) in a process of its own, and a browser-less user agent for it."""

import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "tessera-tests"
CLIENT_SECRET = "tessera-tests-secret"  # noqa: S105
PASSWORD = "provider-password-1"

#: The provider's accounts at start: e-mail verified, not verified, and not said (no email_verified claim).
USERS = [
    {"email": "anna@praxis-bianchi.test", "given_name": "Anna", "family_name": "Bianchi", "email_verified": True},
    {"email": "customer@rossi.test", "given_name": "Carla", "family_name": "Rossi", "email_verified": True},
    {"email": "agent@vendor.test", "given_name": "Marco", "family_name": "Verdi", "email_verified": True},
    {"email": "unverified@praxis.test", "email_verified": False},
    {"email": "silent@praxis.test", "email_verified": None},
]


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen
    users: list = field(default_factory=list)

    def settings_entry(self, name: str = "cgm", *, audience: str = "customers", label: str = "Log in with CGM Life"):
        return {
            "name": name, "issuer": self.issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "scopes": "openid email profile", "label": label, "logo": "", "audience": audience,
        }


def start_provider(tmp_dir: Path, *, sites: tuple[str, ...] = ()) -> Provider:
    """``sites``: Tessera's addresses besides the test client's and loopback's (the live server's, on localhost)."""
    bases = ("http://testserver", "http://127.0.0.1", *sites)
    environment = {
        **os.environ,
        "IDP_DATABASE": str(tmp_dir / "idp.sqlite3"),
        "IDP_CLIENT_ID": CLIENT_ID,
        "IDP_CLIENT_SECRET": CLIENT_SECRET,
        # Loopback without a port: any port (RFC 8252), so the live server's port need not be known.
        "IDP_REDIRECT_URIS": " ".join(f"{site}/accounts/sso/callback/" for site in bases),
        "IDP_POST_LOGOUT_REDIRECT_URIS": " ".join(f"{site}/accounts/login/" for site in bases),
        "IDP_USERS": json.dumps([{**user, "password": PASSWORD} for user in USERS]),
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "oidc_provider" / "server.py")],
        stdout=subprocess.PIPE, env=environment, cwd=ROOT, text=True,
    )
    issuer = process.stdout.readline().strip()
    if not issuer.startswith("http://127.0.0.1:"):
        process.kill()
        raise RuntimeError("the test OpenID provider did not start")
    return Provider(issuer=issuer, process=process)


def closed_port_url() -> str:
    """An address on loopback where nothing listens: a provider that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/o"


class ProviderAgent:
    """A user's browser at the provider (requests, with its cookies): log in there, and follow the redirects
    until they leave the provider, as a browser would."""

    def __init__(self, provider: Provider) -> None:
        self.provider = provider
        self.session = requests.Session()

    def authorize(self, authorize_url: str, *, email: str | None = None, password: str = PASSWORD) -> str:
        """Open the authorization URL Tessera redirected to; log in if asked; return where the provider sends
        the browser back (Tessera's callback URL with code and state)."""
        response = self.session.get(authorize_url, allow_redirects=False, timeout=10)
        if response.status_code == 302 and "/accounts/login/" in response.headers["Location"]:
            assert email is not None, "the provider asks for a login"
            login_url = urljoin(authorize_url, response.headers["Location"])
            self.session.get(login_url, timeout=10)
            next_url = parse_qs(urlsplit(login_url).query)["next"][0]
            response = self.session.post(
                login_url, allow_redirects=False, timeout=10,
                data={"csrfmiddlewaretoken": self.session.cookies["idp_csrftoken"], "username": email,
                      "password": password, "next": next_url},
            )
            assert response.status_code == 302, response.text
            response = self.session.get(urljoin(login_url, response.headers["Location"]), allow_redirects=False,
                                        timeout=10)
        assert response.status_code == 302, response.text
        return response.headers["Location"]

