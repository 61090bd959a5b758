"""Session authentication for the API with a localised CSRF refusal (DRF's own is English only)."""

from django.utils.translation import gettext as _
from drf_spectacular import authentication as drf_spectacular_authentication
from rest_framework import authentication, exceptions


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
