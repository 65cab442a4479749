"""The client's address behind reverse proxies (issue 8): what the login throttle, the audit log and the
link throttle count and record."""

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.urls import reverse

from tessera.audit.models import AuditAction, AuditEntry
from tessera.core.client_ip import client_ip
from tessera.organizations.models import LinkAttempt, LinkRequest
from tests.factories import PASSWORD, UserFactory

LOGIN = reverse("accounts:login")
LINK = reverse("portal:link")
PROXY = "10.0.0.2"
STRANGER = "198.51.100.7"
OTHER_CLIENT = "203.0.113.50"


def address(*, proxies: int, forwarded: str | None, remote_addr: str | None = PROXY, settings) -> str:
    settings.TESSERA_PROXY_COUNT = proxies
    request = RequestFactory().get("/")
    if remote_addr is None:
        del request.META["REMOTE_ADDR"]
    else:
        request.META["REMOTE_ADDR"] = remote_addr
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(request)


# --- unit cases ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("forwarded", [None, STRANGER, f"{STRANGER}, 192.0.2.1"])
def test_without_proxies_the_header_is_ignored(settings, forwarded):
    assert address(proxies=0, forwarded=forwarded, settings=settings) == PROXY


def test_a_negative_count_counts_as_no_proxy(settings):
    assert address(proxies=-1, forwarded=STRANGER, settings=settings) == PROXY


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        (STRANGER, STRANGER),
        (f" {STRANGER} ", STRANGER),
        # Everything left of the entry our proxy appended came from the client and may be made up.
        (f"1.1.1.1, {STRANGER}", STRANGER),
        (f"127.0.0.1,10.0.0.1, 192.0.2.44 ,{STRANGER}", STRANGER),
        (f"not-an-address, {STRANGER}", STRANGER),
    ],
)
def test_one_proxy_trusts_only_the_last_entry(settings, forwarded, expected):
    assert address(proxies=1, forwarded=forwarded, settings=settings) == expected


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        # client -> outer proxy (appends the client) -> inner proxy (appends the outer proxy) -> Tessera
        (f"{STRANGER}, 10.0.0.1", STRANGER),
        (f"6.6.6.6, 7.7.7.7, {STRANGER}, 10.0.0.1", STRANGER),
        # Only one entry: the request skipped the outer proxy, so the header is not the proxies' own.
        (STRANGER, PROXY),
        (f"{STRANGER}, not-an-address", STRANGER),
        (f"garbage, {STRANGER}", PROXY),
    ],
)
def test_two_proxies_trust_the_second_entry_from_the_right(settings, forwarded, expected):
    assert address(proxies=2, forwarded=forwarded, settings=settings) == expected


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("2001:db8::7", "2001:db8::7"),
        ("2001:DB8:0:0:0:0:0:7", "2001:db8::7"),  # one spelling per address, so counts are not split
        (f"{STRANGER}, ::1", "::1"),
    ],
)
def test_ipv6_addresses(settings, forwarded, expected):
    assert address(proxies=1, forwarded=forwarded, settings=settings) == expected


def test_an_ipv6_proxy_address_is_kept_when_there_is_no_header(settings):
    assert address(proxies=1, forwarded=None, remote_addr="2001:db8::2", settings=settings) == "2001:db8::2"


@pytest.mark.parametrize(
    "forwarded",
    [
        None,
        "",
        " ",
        ",",
        f"{STRANGER},",
        "unknown",
        "198.51.100.256",
        f"{STRANGER}:4711",
        "[2001:db8::7]",
        "[2001:db8::7]:443",
        "fe80::1%eth0",
        "198.51.100.0/24",
        "localhost",
        "<script>alert(1)</script>",
        "\x00",
        "x" * 10_000,
    ],
)
def test_a_missing_or_malformed_header_falls_back_to_the_connecting_address(settings, forwarded):
    assert address(proxies=1, forwarded=forwarded, settings=settings) == PROXY


def test_many_forged_entries_change_nothing(settings):
    forwarded = ", ".join(f"192.0.2.{n % 250}" for n in range(20_000)) + f", {STRANGER}"
    assert address(proxies=1, forwarded=forwarded, settings=settings) == STRANGER


def test_no_address_at_all_is_an_empty_string(settings):
    assert address(proxies=0, forwarded=None, remote_addr=None, settings=settings) == ""
    assert address(proxies=1, forwarded="garbage", remote_addr=None, settings=settings) == ""


def test_login_throttle_uses_this_function(settings):
    from axes.helpers import get_client_ip_address

    settings.TESSERA_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"1.1.1.1, {STRANGER}")
    assert get_client_ip_address(request) == STRANGER


# --- through the real login form -----------------------------------------------------------------------------------


def login(client, username, password, *, forwarded):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded
    )


def test_behind_a_proxy_failed_logins_lock_out_only_that_account(settings, customer, colleague):
    settings.TESSERA_PROXY_COUNT = 1
    limit = settings.AXES_FAILURE_LIMIT
    # A new made-up leading entry every time does not get the stranger a fresh count.
    statuses = [
        login(Client(), customer.email, "wrong-wrong-1", forwarded=f"192.0.2.{attempt}, {STRANGER}").status_code
        for attempt in range(limit)
    ]
    assert statuses == [200] * (limit - 1) + [429]  # the failure that reaches the limit already locks

    # The account is locked wherever its owner tries from (issue 14: per account, not per address) ...
    account_elsewhere = login(Client(), customer.email, PASSWORD, forwarded=OTHER_CLIENT)
    assert account_elsewhere.status_code == 429
    assert "Too many attempts" in account_elsewhere.content.decode()

    # ... while a colleague behind the same router logs in as usual.
    colleague_there = Client()
    response = login(colleague_there, colleague.email, PASSWORD, forwarded=STRANGER)
    assert response.status_code == 302
    assert colleague_there.get(reverse("portal:home")).context["user"] == colleague

    # The made-up leading entries (192.0.2.x) are nowhere: only the real clients' addresses.
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {STRANGER, OTHER_CLIENT}
    failed = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert failed.count() == limit + 1
    assert set(failed.values_list("ip_address", flat=True)) == {STRANGER, OTHER_CLIENT}
    assert AuditEntry.objects.get(action=AuditAction.LOGIN).ip_address == STRANGER


def test_the_audit_entry_of_a_failed_login_records_the_forwarded_address(settings, customer):
    settings.TESSERA_PROXY_COUNT = 1
    response = login(Client(), customer.email, "wrong-wrong-1", forwarded=f"6.6.6.6, {STRANGER}")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert entry.ip_address == STRANGER
    assert entry.data["username"] == customer.email


def test_without_proxies_a_forged_header_neither_escapes_the_throttle_nor_reaches_the_log(
    settings, customer, colleague
):
    settings.TESSERA_PROXY_COUNT = 0
    limit = settings.AXES_FAILURE_LIMIT
    settings.TESSERA_LOGIN_NETWORK_DELAY_AFTER = limit  # the address, too, is slowed down from here on
    statuses = [
        login(Client(), customer.email, "wrong-wrong-1", forwarded=f"192.0.2.{attempt}").status_code
        for attempt in range(limit)
    ]
    assert statuses == [200] * (limit - 1) + [429]
    # A made-up header does not make the proxy's address a new one: it has to wait.
    response = login(Client(), colleague.email, PASSWORD, forwarded=OTHER_CLIENT)
    assert response.status_code == 429
    assert "Too many failed logins from your network" in response.content.decode()
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {PROXY}
    assert set(AuditEntry.objects.values_list("ip_address", flat=True)) == {PROXY}


# --- the link-request throttle -------------------------------------------------------------------------------------


def test_behind_a_proxy_the_link_throttle_counts_the_client_not_the_proxy(settings, client, organization):
    settings.TESSERA_PROXY_COUNT = 1
    settings.TESSERA_LINK_NETWORK_FAILURE_LIMIT = settings.TESSERA_LINK_FAILURE_LIMIT
    wrong = {"customer_code": "100001", "postal_code": "00000"}
    right = {"customer_code": "100001", "postal_code": "20121"}
    for attempt in range(settings.TESSERA_LINK_NETWORK_FAILURE_LIMIT):
        client.force_login(UserFactory())
        response = client.post(LINK, wrong, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}, {STRANGER}")
        assert response.status_code == 200
    assert set(LinkAttempt.objects.values_list("ip_address", flat=True)) == {STRANGER}

    client.force_login(UserFactory())
    response = client.post(LINK, right, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=STRANGER)
    assert response.status_code == 429 and "Too many unsuccessful tries" in response.content.decode()
    newcomer = UserFactory()
    client.force_login(newcomer)
    response = client.post(LINK, right, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OTHER_CLIENT)
    assert response.status_code == 302
    assert LinkRequest.objects.get().user == newcomer
