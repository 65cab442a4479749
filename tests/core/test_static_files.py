"""Static files in production (docs/deploy.md): collectstatic writes hashed names, pages link to them.

Run as separate processes with production settings from the environment, as a deploy runs them: the
settings module picks the static files storage when it is imported.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.html import parse

ROOT = Path(__file__).resolve().parents[2]
HASHED_STATIC_URL = re.compile(r"/static/[\w/.-]+\.[0-9a-f]{12}\.(?:css|js)")


def static_urls(page: str) -> set[str]:
    """The stylesheets and scripts the page links, as the browser reads them from its elements."""
    root = parse(page)
    links = [element.get("href") for element in root.find_all("link", href=True)]
    scripts = [element.get("src") for element in root.find_all("script", src=True)]
    return {url for url in links + scripts if url and url.startswith("/static/")}

RENDER_LOGIN_PAGE = """
from django.test import Client
response = Client().get("/accounts/login/", secure=True, HTTP_HOST="support.example.com")
print("status", response.status_code)
print(response.content.decode())
"""


def production_env(tmp_path, **extra) -> dict:
    env = {
        **{key: value for key, value in os.environ.items() if key != "TESSERA_STATIC_MANIFEST"},
        "TESSERA_DEBUG": "false",
        "TESSERA_SECRET_KEY": "k8#Jw2!pQz7$Lm4@Xv9^Rt1&Yb6*Nc3(Hd5)Fg0-Us2+Ae8=Ki7?Wo4",
        "TESSERA_ALLOWED_HOSTS": "support.example.com",
        "TESSERA_STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **extra,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests for their own process only
    return env


def manage(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_after_collectstatic_a_production_page_links_hashed_static_files_that_exist(tmp_path):
    env = production_env(tmp_path)

    collected = manage(env, "collectstatic", "--no-input", "-v1")
    assert collected.returncode == 0, collected.stderr
    assert "post-processed" in collected.stdout
    assert (tmp_path / "static" / "staticfiles.json").is_file()

    rendered = manage(env, "shell", "-c", RENDER_LOGIN_PAGE)
    assert rendered.returncode == 0, rendered.stderr
    page = rendered.stdout
    assert "status 200" in page
    urls = {url for url in static_urls(page) if HASHED_STATIC_URL.fullmatch(url)}
    assert any(re.fullmatch(r"/static/tessera/tessera\.[0-9a-f]{12}\.css", url) for url in urls), urls
    assert 'href="/static/tessera/tessera.css"' not in page  # no unhashed name left for a cache to keep stale
    for url in urls:  # what the reverse proxy serves from STATIC_ROOT
        assert (tmp_path / "static" / url.removeprefix("/static/")).is_file(), url


def test_development_keeps_plain_static_names_without_collectstatic(tmp_path):
    env = production_env(tmp_path, TESSERA_STATIC_MANIFEST="false")

    rendered = manage(env, "shell", "-c", RENDER_LOGIN_PAGE)

    assert rendered.returncode == 0, rendered.stderr
    assert "status 200" in rendered.stdout
    assert "/static/tessera/tessera.css" in rendered.stdout
    assert not [url for url in static_urls(rendered.stdout) if HASHED_STATIC_URL.fullmatch(url)]
