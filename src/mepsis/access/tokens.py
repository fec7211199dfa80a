"""API tokens: ``Authorization: Token KEY``. Only the SHA-256 of a key is stored; a key is long and random,
so a fast hash is enough (nothing to guess from it) and a request is checked with one indexed lookup."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

# last_used_at is written at most this often per token, not on every request of a busy SIS.
LAST_USED_EVERY = dt.timedelta(minutes=1)


def new_key() -> str:
    return secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class TokenAuthentication(BaseAuthentication):
    """DRF authentication by an ``ApiToken`` that is not revoked, of an active user."""

    keyword = "Token"

    def authenticate(self, request):
        from .models import ApiToken

        words = get_authorization_header(request).split()
        if not words or words[0].lower() != self.keyword.lower().encode():
            return None
        if len(words) != 2:
            raise AuthenticationFailed(_("The Authorization header must be: Token KEY."))
        try:
            key = words[1].decode()
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("The token is not valid.")) from None
        # A slice, not first(): the hash is unique, so no ORDER BY is needed.
        token = next(iter(ApiToken.objects.select_related("user")
                          .filter(key_hash=hash_key(key), revoked_at__isnull=True)[:1]), None)
        if token is None or not token.user.is_active:
            raise AuthenticationFailed(_("The token is not valid or has been revoked."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
