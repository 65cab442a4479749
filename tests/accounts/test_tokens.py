"""Single-use expiring links, in one place: only a hash is stored; used, expired and replaced links fail."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tessera.accounts.models import AccountToken, TokenPurpose, TokenState
from tessera.accounts.tokens import TokenInvalid, token_claim, token_find, token_issue, token_use


@pytest.fixture
def raw(customer):
    return token_issue(user=customer, purpose=TokenPurpose.PASSWORD_RESET, valid_for=timedelta(hours=1))


def test_only_a_hash_is_stored(raw):
    token = AccountToken.objects.get()
    assert len(raw) >= 43 and raw not in token.token_hash and token.token_hash != raw


def test_a_token_opens_only_its_purpose(raw):
    assert token_find(raw, purpose=TokenPurpose.PASSWORD_RESET).state == TokenState.VALID
    assert token_find(raw, purpose=TokenPurpose.INVITATION) is None
    assert token_find(raw + "x", purpose=TokenPurpose.PASSWORD_RESET) is None
    assert token_find("x" * 500, purpose=TokenPurpose.PASSWORD_RESET) is None


def test_used_expired_and_replaced_tokens_cannot_be_claimed(raw, customer):
    token_use(token_claim(raw, purpose=TokenPurpose.PASSWORD_RESET))
    with pytest.raises(TokenInvalid) as used:
        token_claim(raw, purpose=TokenPurpose.PASSWORD_RESET)
    assert used.value.state == TokenState.USED

    expiring = token_issue(user=customer, purpose=TokenPurpose.INVITATION, valid_for=timedelta(hours=1))
    AccountToken.objects.filter(purpose=TokenPurpose.INVITATION).update(expires_at=timezone.now())
    with pytest.raises(TokenInvalid) as expired:
        token_claim(expiring, purpose=TokenPurpose.INVITATION)
    assert expired.value.state == TokenState.EXPIRED

    older = token_issue(user=customer, purpose=TokenPurpose.EMAIL_CONFIRMATION, valid_for=timedelta(hours=1))
    newer = token_issue(user=customer, purpose=TokenPurpose.EMAIL_CONFIRMATION, valid_for=timedelta(hours=1))
    with pytest.raises(TokenInvalid) as replaced:
        token_claim(older, purpose=TokenPurpose.EMAIL_CONFIRMATION)
    assert replaced.value.state == TokenState.REVOKED
    assert token_claim(newer, purpose=TokenPurpose.EMAIL_CONFIRMATION).user == customer


def test_unknown_token(db):
    with pytest.raises(TokenInvalid) as unknown:
        token_claim("nope", purpose=TokenPurpose.INVITATION)
    assert unknown.value.state is None
