"""The client's address, read through the proxies we trust, and the networks that limits and erasure use."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client, trusting only as many X-Forwarded-For hops as we have proxies.

    A forwarded value that is not an address counts as the proxy's own, so it escapes no limit.
    """
    address = normalized_ip(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.COMMENTS_TRUSTED_PROXY_COUNT
    if proxies:
        hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            address = normalized_ip(hops[-proxies]) or address
    return address


def normalized_ip(text: str) -> str | None:
    """An IP address in its canonical form (an IPv4-mapped IPv6 address as IPv4), or None when the text is not one."""
    try:
        ip = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    return str(ip.ipv4_mapped) if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped else str(ip)


def _network(address: str, ipv4_prefix: int, ipv6_prefix: int) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    ip = ipaddress.ip_address(address)
    prefix = ipv4_prefix if ip.version == 4 else ipv6_prefix
    return ipaddress.ip_network(f"{ip}/{prefix}", strict=False)


def rate_limit_network(address: str) -> str:
    """Who a rate limit counts as one client: an IPv4 address, or an IPv6 /64 (one subscriber's LAN)."""
    return str(_network(address, 32, 64))


def reader_network(address: str) -> str:
    """Who counts as one reader where many networks cost an attacker nothing: an IPv4 address, or an IPv6 /48.

    A home connection is given a /56 and a server often a /48, so /64s alone would let one
    person be many readers (three reports hide a comment).
    """
    return str(_network(address, 32, 48))


def author_network(address: str | None) -> str:
    """The network of an author's address, for "other comments from here": IPv4 /24, IPv6 /64 ("" without one)."""
    try:
        return str(_network(address, 24, 64)) if address else ""
    except ValueError:  # an imported address that is not one
        return ""


def truncate_ip(address: str | None) -> str | None:
    """Keep the network, drop the host: IPv4 to /24 (last octet zero), IPv6 to /48."""
    if not address:
        return None
    return str(_network(address, 24, 48).network_address)
