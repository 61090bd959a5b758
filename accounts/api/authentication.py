"""How API callers prove who they are: the browser's session, with a localised CSRF refusal (DRF's
own is English only), or a personal token (``accounts.tokens``) that expires and can be revoked."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from drf_spectacular import authentication as drf_spectacular_authentication
from rest_framework import authentication, exceptions

from accounts import tokens


class SessionAuthentication(authentication.SessionAuthentication):
    """Browsers signed in to the site call the API with their session; their writes must carry
    the CSRF token like a form. Token clients are not concerned."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as refusal:
            raise exceptions.PermissionDenied(
                _("The security token (CSRF) of this request is missing or out of date: reload the page and try again.")
            ) from refusal


class SessionScheme(drf_spectacular_authentication.SessionScheme):
    """The OpenAPI description of this session authentication: a cookie, like DRF's own."""

    target_class = SessionAuthentication


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>`` with an ``accounts.ApiToken``: refused, with a reason in the
    caller's language, when the key is unknown, revoked or expired."""

    def authenticate_credentials(self, key):
        token = tokens.find(key)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This API token is not valid."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                _("This API token was revoked. Create a new one on your API tokens page.")
            )
        now = timezone.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(
                _("This API token expired on %(date)s. Create a new one on your API tokens page.")
                % {"date": formats.date_format(timezone.localtime(token.expires_at), "DATE_FORMAT")}
            )
        tokens.note_use(token, now)
        return token.user, token
