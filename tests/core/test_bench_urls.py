"""The benchmark's ceiling pages (bench/urls.py) are mounted only when TESSERA_BENCH is on."""

import importlib

import pytest
from django.urls import clear_url_caches

import tessera.urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def reload_urls(settings):
    def reload(*, bench: bool) -> None:
        settings.TESSERA_BENCH = bench
        importlib.reload(tessera.urls)
        clear_url_caches()

    yield reload
    settings.TESSERA_BENCH = False
    importlib.reload(tessera.urls)
    clear_url_caches()


def test_bench_pages_answer_when_the_benchmark_is_on(client, reload_urls):
    reload_urls(bench=True)

    response = client.get("/bench/static/")
    assert response.status_code == 200
    assert len(response.content) > 19_000
    # There is no request-wide transaction any more, so no page "without" it to compare with.
    assert client.get("/bench/static-no-transaction/").status_code == 404


def test_bench_pages_do_not_exist_otherwise(client, reload_urls):
    reload_urls(bench=False)

    assert client.get("/bench/static/").status_code == 404
