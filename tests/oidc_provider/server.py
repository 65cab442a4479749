"""Start the test OpenID provider on 127.0.0.1, on a free port; print its issuer, then serve until stopped.

Environment: IDP_DATABASE (an SQLite file), IDP_CLIENT_ID, IDP_CLIENT_SECRET, IDP_REDIRECT_URIS and
IDP_POST_LOGOUT_REDIRECT_URIS (space-separated; a loopback URI without port allows every port, RFC 8252),
IDP_USERS (JSON: [{"email", "password", "email_verified": true|false|null}]).
"""

import json
import os
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from oauth2_provider.models import Application

    from tests.oidc_provider.idp.models import Profile

    call_command("migrate", run_syncdb=True, verbosity=0)
    Application.objects.create(
        name="Tessera",
        client_id=os.environ["IDP_CLIENT_ID"],
        client_secret=os.environ["IDP_CLIENT_SECRET"],
        hash_client_secret=True,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=os.environ["IDP_REDIRECT_URIS"],
        post_logout_redirect_uris=os.environ.get("IDP_POST_LOGOUT_REDIRECT_URIS", ""),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    for entry in json.loads(os.environ.get("IDP_USERS", "[]")):
        user = User.objects.create_user(
            username=entry["email"], email=entry["email"], password=entry["password"],
            first_name=entry.get("given_name", ""), last_name=entry.get("family_name", ""),
        )
        Profile.objects.create(user=user, email_verified=entry.get("email_verified"))
    server = make_server("127.0.0.1", 0, WSGIHandler(), server_class=ThreadingServer, handler_class=QuietHandler)
    print(f"http://127.0.0.1:{server.server_port}/o", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
