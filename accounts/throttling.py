"""How often a client may try to sign in: the one rule for the web login form and the API's token
endpoint, which share the rate (``AUTH_THROTTLE_RATE``) and the counter (the default cache: Redis
in production, so every gunicorn worker counts the same attempts)."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from core.client_address import client_address


class ClientAddressThrottle(SimpleRateThrottle):
    """Base of every throttle of the project: counts per ``core.client_address`` (``X-Forwarded-For``
    only from ``TRUSTED_PROXIES``), never per DRF's own reading of the header."""

    def get_ident(self, request):
        return client_address(request)


class SignInRateThrottle(ClientAddressThrottle):
    """Sign-in attempts per client address. Works on Django's and DRF's requests alike: it reads
    only ``request.META``."""

    scope = "auth"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def get_rate(self):
        # Read at each request, not at import like DRF's class attribute, so the setting can change.
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
