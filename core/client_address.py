"""The client's address: the one rule for everything that counts or records who sent a request
(sign-in throttling, DRF throttles, logs).

``REMOTE_ADDR`` is the peer that connected to the app. Only when that peer is one of the reverse
proxies of ``TRUSTED_PROXIES`` (addresses or networks) is ``X-Forwarded-For`` believed, and only as
far as it was written by trusted proxies: walking it from the right (each proxy appends the address
it saw), the first address that is not a trusted proxy is the client. Anything to the left of that
was written by the client itself and is ignored, so a forged header changes nothing."""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(value, strict=False) for value in trusted)


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    if address is None:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in networks)


def client_address(request) -> str:
    """The address of the client that sent ``request`` (a Django or DRF request: reads ``META``)."""
    meta = request.META
    remote = meta.get("REMOTE_ADDR", "")
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not networks or not _trusted(_parse(remote), networks):
        return remote
    client = remote
    for hop in reversed(meta.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _parse(hop)
        if address is None:
            # Not an address: nothing trusted wrote it; the last trusted hop is all that is known.
            break
        client = str(address)
        if not _trusted(address, networks):
            break
    return client
