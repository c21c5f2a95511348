"""Making and revoking API tokens, each audited in the same transaction."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from kasane.accounts.models import Staff
from kasane.api.models import ApiToken
from kasane.audit import services as audit
from kasane.audit.models import AuditAction, LegalBasis, ObjectType

TOKEN_SCHEME = "ksn"  # noqa: S105 - the tokens' visible scheme, not a secret


def token_digest(token: str) -> str:
    """What is stored and looked up: the SHA-256 of the whole token, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def _new_prefix() -> str:
    while True:
        prefix = secrets.token_hex(4)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            return prefix


@transaction.atomic
def api_token_create(*, staff: Staff, name: str = "") -> tuple[ApiToken, str]:
    """A new token for the staff member; returns it with the secret, which is never stored.

    An inactive account gets no token (``ValueError``): it could not sign in anyway.
    """
    if not staff.is_active:
        raise ValueError("an inactive staff member cannot have an API token")
    prefix = _new_prefix()
    token = f"{TOKEN_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    record = ApiToken(staff=staff, name=name.strip(), prefix=prefix, digest=token_digest(token))
    record.full_clean()
    record.save()
    audit.record(
        actor=None,
        action=AuditAction.CREATE,
        legal_basis=LegalBasis.SYSTEM,
        object_type=ObjectType.API_TOKEN,
        object_id=prefix,
        detail={"staff": staff.username, "name": record.name},
    )
    return record, token


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token for good; revoking it again changes nothing and is not audited again."""
    token = ApiToken.objects.select_for_update().select_related("staff").get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    audit.record(
        actor=None,
        action=AuditAction.UPDATE,
        legal_basis=LegalBasis.SYSTEM,
        object_type=ObjectType.API_TOKEN,
        object_id=token.prefix,
        detail={"staff": token.staff.username, "fields": ["revoked_at"]},
    )
    return token
