"""atomic_writes: reads run without the request's transaction, writes inside one that rolls back as a whole."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from tessera.core.transactions import atomic_writes

pytestmark = pytest.mark.django_db(transaction=True)  # a real autocommit connection, not a test's transaction


@atomic_writes
def view(request):
    seen = "in a transaction" if connection.in_atomic_block else "autocommit"
    if request.method == "POST":
        get_user_model().objects.create(email="half@example.com", username="half")
        if request.POST.get("fail"):
            raise RuntimeError("the second write failed")
    return HttpResponse(seen)


def test_a_read_runs_without_the_request_transaction():
    assert view(RequestFactory().get("/")).content == b"autocommit"
    assert view(RequestFactory().head("/")).content == b"autocommit"


def test_a_write_runs_in_one_transaction():
    assert view(RequestFactory().post("/")).content == b"in a transaction"
    assert get_user_model().objects.filter(email="half@example.com").exists()


def test_a_failed_write_leaves_nothing_behind():
    with pytest.raises(RuntimeError):
        view(RequestFactory().post("/", {"fail": "1"}))
    assert not get_user_model().objects.filter(email="half@example.com").exists()


def test_the_request_transaction_does_not_wrap_it_again():
    assert view._non_atomic_requests == {"default"}
