"""A ``.env`` that is there but cannot be read stops Tessera: ignored, its production settings would silently
become the development defaults (debug on, SQLite). Found by following docs/deploy.md: a ``.env`` of root's, mode
600, and the services running as the user ``tessera``."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from tessera.settings import read_env_file


def test_a_missing_env_file_is_no_error(tmp_path):
    read_env_file(tmp_path / ".env")


def test_an_env_file_that_cannot_be_read_stops_the_process(tmp_path):
    (tmp_path / ".env").mkdir()  # there, but not a file that opens
    with pytest.raises(ImproperlyConfigured, match=r"\.env cannot be read by this user"):
        read_env_file(tmp_path / ".env")
