"""One service call is one transaction and one operation id, shared by the services it calls."""

import pytest
from django.contrib.auth import get_user_model

from tessera.core.operations import current_operation_id, operation, unit_of_work

pytestmark = pytest.mark.django_db


@unit_of_work
def _inner() -> object:
    return current_operation_id()


@unit_of_work
def _outer() -> tuple[object, object, object]:
    first = current_operation_id()
    return first, _inner(), current_operation_id()


def test_a_service_and_the_services_it_calls_share_one_operation_id():
    first, inner, last = _outer()
    assert first == inner == last


def test_two_calls_are_two_operations():
    assert _outer()[0] != _outer()[0]


def test_outside_an_operation_each_write_stands_alone():
    assert current_operation_id() != current_operation_id()


@pytest.mark.django_db(transaction=True)
def test_a_failing_operation_leaves_nothing():
    with pytest.raises(RuntimeError), operation():
        get_user_model().objects.create(username="kept-nowhere", email="kept@nowhere.test")
        raise RuntimeError
    assert not get_user_model().objects.filter(username="kept-nowhere").exists()
