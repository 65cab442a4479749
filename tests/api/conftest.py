"""The API's clients: ``api(user)`` sends a read and write personal token of ``user``; ``api()`` none."""

import pytest
from rest_framework.test import APIClient

from tests.factories import AccessTokenFactory


@pytest.fixture
def api(db):
    def client_for(user=None, *, scope="read_write", token=None):
        client = APIClient()
        if token is None and user is not None:
            token = AccessTokenFactory(user=user, scope=scope)
        if token is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.raw}")
            client.token = token
        return client

    return client_for
