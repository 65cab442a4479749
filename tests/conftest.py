"""Named personas shared by every test (STYLE.md): one organization and an outsider's.

Also what every test runs under: a fast password hasher (``@pytest.mark.password_hashing`` brings back the
production hashers), the hypothesis profile (``ci`` unless HYPOTHESIS_PROFILE or ``--hypothesis-profile``
says ``fast``), and ``@pytest.mark.postgres`` skipped on any other database.
"""

import os

import pytest
from django.conf import settings as django_settings
from django.test.utils import override_settings
from hypothesis import settings as hypothesis_settings

from tessera.organizations.models import Role

from .db_refusal import stored_files  # noqa: F401  (fixture: the default storage's files, on disk and in a bucket)
from .factories import AgentFactory, MembershipFactory, OrganizationFactory, ServiceTeamFactory, UserFactory
from .s3 import s3_bucket, s3_bucket_factory, s3_server, s3_storage  # noqa: F401  (fixtures: a real S3 server, tests/s3.py)

#: "ci" is hypothesis's defaults, as the suite always ran; each property test still sets its own number of
#: examples (tests/security/hostile.py), at most the profile's. "fast" is for the inner loop (make test-fast).
hypothesis_settings.register_profile("ci", hypothesis_settings.get_profile("default"))
hypothesis_settings.register_profile("fast", max_examples=3)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config, items):
    """``@pytest.mark.postgres`` tests need PostgreSQL: on another database they are skipped, with the
    marker's ``reason`` when it gives one."""
    from django.db import connections

    if connections["default"].vendor == "postgresql":
        return
    for item in items:
        marker = item.get_closest_marker("postgres")
        if marker is not None:
            reason = marker.kwargs.get("reason", "needs PostgreSQL")
            item.add_marker(pytest.mark.skip(reason=f"{reason} (the tests run on {connections['default'].vendor})"))


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Argon2 is deliberately slow; tests that do not test hashing itself hash with MD5.

    Session-wide, so the users of module-scoped fixtures are created with it too.
    """
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield


@pytest.fixture(autouse=True)
def _production_password_hashing(request):
    """``@pytest.mark.password_hashing``: the test checks hashing itself, with the hashers of tessera/settings.py."""
    if request.node.get_closest_marker("password_hashing") is None:
        return
    from tessera import settings as project_settings

    request.getfixturevalue("settings").PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's default language: a request of an earlier test (in Italian, say) leaves
    its language active in the thread, and services' messages would follow it."""
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _branding_defaults_cached():
    """Every test starts with the brand's defaults in the cache, as a running site has them after its first page.

    The cache keeps the brand 60 s; without this, whether a page's queries include reading it depended on how
    long ago another test had read it, and query counts changed with the order the tests ran in. A test that
    saves a brand clears the cache as production does.
    """
    from django.core.cache import cache

    from tessera.branding.models import CACHE_KEY, Branding

    cache.set(CACHE_KEY, Branding(), None)
    yield
    cache.delete(CACHE_KEY)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="Praxis Rossi", customer_code="100001", postal_code="20121")


@pytest.fixture
def other_organization(db):
    return OrganizationFactory(name="Zahnarzt Weber", customer_code="200002", postal_code="80331")


def _member(organization, role, email):
    return MembershipFactory(organization=organization, role=role, user=UserFactory(email=email)).user


@pytest.fixture
def customer(organization):
    """A basic user: sees own tickets and those in CC."""
    return _member(organization, Role.BASIC, "customer@rossi.test")


@pytest.fixture
def colleague(organization):
    return _member(organization, Role.BASIC, "colleague@rossi.test")


@pytest.fixture
def manager(organization):
    return _member(organization, Role.MANAGER, "manager@rossi.test")


@pytest.fixture
def org_admin(organization):
    return _member(organization, Role.ADMIN, "admin@rossi.test")


@pytest.fixture
def restricted_user(organization):
    return _member(organization, Role.RESTRICTED, "restricted@rossi.test")


@pytest.fixture
def outsider(other_organization):
    """An administrator of another organization: sees everything there, nothing here."""
    return _member(other_organization, Role.ADMIN, "admin@weber.test")


@pytest.fixture
def unlinked_user(db):
    return UserFactory(email="nobody@example.test")


@pytest.fixture
def service_team(db):
    return ServiceTeamFactory(name="Practice software")


@pytest.fixture
def agent(service_team):
    user = AgentFactory(email="agent@vendor.test")
    service_team.members.add(user)
    return user


@pytest.fixture
def other_agent(db):
    return AgentFactory(email="agent2@vendor.test")


@pytest.fixture
def vendor_admin(db):
    return AgentFactory(email="root@vendor.test", is_superuser=True)


@pytest.fixture
def category(service_team):
    from .factories import CategoryFactory

    return CategoryFactory(name="Practice management", service_team=service_team)


@pytest.fixture
def inactive_user(organization):
    """A basic member whose user account has been deactivated."""
    user = _member(organization, Role.BASIC, "inactive@rossi.test")
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


@pytest.fixture
def inactive_member(organization):
    """An active user whose membership the organization's admin has deactivated."""
    return MembershipFactory(
        organization=organization, role=Role.BASIC, is_active=False, user=UserFactory(email="former@rossi.test")
    ).user


@pytest.fixture
def deliver(django_capture_on_commit_callbacks, worker_keeps_test_connection):
    """Run what a block queued for after commit, then the task worker, as production would.

    ``with deliver(): client.post(...)``; the sent messages are then in ``mailoutbox``.
    """
    from contextlib import contextmanager

    from django.core.management import call_command

    @contextmanager
    def _deliver():
        with django_capture_on_commit_callbacks(execute=True):
            yield
        call_command("db_worker", batch=True, queue_name="*", reload=False, verbosity=0)

    return _deliver


@pytest.fixture
def worker_keeps_test_connection(monkeypatch):
    """Let ``deliver`` run on PostgreSQL: the worker's close_old_connections() would close the
    connection that holds the test's transaction (its autocommit is off), losing the test data."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


@pytest.fixture
def no_hourly_limits(settings):
    """For tests that make many tickets as one customer at once: the hourly limits are not what they test."""
    settings.TESSERA_TICKETS_PER_HOUR_PER_USER = settings.TESSERA_TICKETS_PER_HOUR_PER_ORGANIZATION = 10**9
    settings.TESSERA_CUSTOMER_ACTIONS_PER_HOUR_PER_USER = 10**9
    settings.TESSERA_CUSTOMER_ACTIONS_PER_HOUR_PER_ORGANIZATION = 10**9
