import pytest

from tessera.audit.models import AuditEntry

IP = "203.0.113.9"


@pytest.fixture
def only_entry():
    """The one entry of ``action``: fails when there is none or more than one."""

    def _only(action) -> AuditEntry:
        entries = list(AuditEntry.objects.filter(action=action))
        assert len(entries) == 1, entries
        return entries[0]

    return _only
