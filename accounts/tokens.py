"""The secrets a user hands to programs: API tokens and the calendar-feed URL (the one place for
both rules).

- An API token (``accounts.ApiToken``) is shown once, when it is made; the database keeps a SHA-256
  digest and the key's first characters. It expires after ``API_TOKEN_LIFETIME_DAYS`` unless its
  maker chose another of ``API_TOKEN_LIFETIMES``; its user revokes it on the tokens page
  (``/accounts/tokens/``) or with ``DELETE /api/v1/auth/token/``.
- A calendar app cannot log in, so the feed URL carries a signed token of the user's random
  ``calendar_key`` (no password material). Rotating the key makes every earlier URL answer 404."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, User, new_calendar_key

FEED_SALT = "accounts.tokens.calendar-feed"
# How often the last use of a token is written (one UPDATE per token and interval, not per call).
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue(user: User, *, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token of ``user`` and its key (the only time the key is known)."""
    days = days or settings.API_TOKEN_LIFETIME_DAYS
    if days not in settings.API_TOKEN_LIFETIMES:
        raise ValueError(f"token lifetime {days} is not one of {settings.API_TOKEN_LIFETIMES}")
    key = secrets.token_urlsafe(30)
    token = ApiToken(
        user=user,
        name=name,
        prefix=key[:8],
        digest=digest(key),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    token.full_clean(exclude=["user"])
    token.save()
    return token, key


def find(key: str) -> ApiToken | None:
    """The token of ``key`` (active or not), with its user."""
    return ApiToken.objects.select_related("user").filter(digest=digest(key)).first()


def note_use(token: ApiToken, now: dt.datetime) -> None:
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def revoke(user: User, token_id: int) -> ApiToken | None:
    """Revoke one of ``user``'s tokens (None when it is not theirs); revoking twice changes nothing."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
        if token is not None and token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


def feed_token(user: User) -> str:
    return signing.dumps([user.pk, user.calendar_key], salt=FEED_SALT, compress=True)


def user_for_feed(token: str) -> User | None:
    try:
        pk, key = signing.loads(token, salt=FEED_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(pk, int) or not isinstance(key, str):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not secrets.compare_digest(user.calendar_key, key):
        return None
    return user


def rotate_calendar_key(user: User) -> None:
    user.calendar_key = new_calendar_key()
    user.save(update_fields=["calendar_key"])
