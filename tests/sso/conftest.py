import pytest
from django.core.cache import cache

from .oidc import start_provider


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """The test OpenID provider, started once per test session on a free port of 127.0.0.1."""
    provider = start_provider(tmp_path_factory.mktemp("oidc_provider"))
    yield provider
    provider.process.terminate()
    provider.process.wait(timeout=10)


@pytest.fixture
def cgm(settings, oidc_provider):
    """Tessera configured with the provider as seed 001's "CGM Life" for customers."""
    settings.TESSERA_OIDC_PROVIDERS = [oidc_provider.settings_entry()]
    cache.clear()
    yield oidc_provider
    cache.clear()
