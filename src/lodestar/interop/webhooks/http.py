"""The one way a webhook leaves Lodestar: a POST that cannot be turned against the network
Lodestar runs in (server-side request forgery).

- The URL is ``http`` or ``https``, with a host and no credentials (``url_problem``; checked
  when a webhook is saved and again before each delivery).
- The host is resolved once; every address it resolves to must be public: loopback, private,
  link-local, multicast, reserved, unspecified, shared (CGNAT) and cloud metadata addresses are
  refused, IPv4-mapped, 6to4 and NAT64 IPv6 forms too (``address_refusal``). Networks named in
  ``LODESTAR_WEBHOOK_ALLOWED_NETWORKS`` are allowed (a self-hosted receiver), metadata
  addresses never.
- The connection goes to the address that was checked (no second lookup, so no DNS
  rebinding), with the URL's host in ``Host`` and as the TLS server name.
- No redirect is followed (a 3xx is the receiver's answer, reported with its ``Location``);
  the exchange has a time limit (``WEBHOOK_TIMEOUT_SECONDS``) and at most
  ``MAX_RESPONSE_BYTES`` of the answer are read.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import socket
import ssl
import time
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger("lodestar.webhooks")

MAX_RESPONSE_BYTES = 64 * 1024
MAX_URL_LENGTH = 2000
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Cloud instance metadata (AWS, GCP, Azure, ...: 169.254.169.254; AWS over IPv6): refused even
# inside an allowed network, since they hand out the machine's credentials.
METADATA = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Refused(Exception):
    """The request was not made: the URL or the address it resolves to is not allowed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RequestFailed(Exception):
    """The request was made (or tried) and did not get an answer: no address, no connection,
    TLS, a timeout, or a broken answer."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    truncated: bool
    address: str


def url_problem(url: str) -> str | None:
    """What is wrong with ``url`` as a webhook's address, in words; None when it will do."""
    if not url or url != url.strip() or any(ord(c) < 33 or ord(c) == 127 for c in url):
        return "must be an http:// or https:// address without spaces"
    if len(url) > MAX_URL_LENGTH:
        return f"must be at most {MAX_URL_LENGTH} characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "is not a valid URL (check the host and the port)"
    if parts.scheme not in ("http", "https"):
        return "must start with http:// or https://"
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return "must not carry a user name or password (the signature authenticates Lodestar)"
    if not parts.hostname:
        return "must name a host"
    if port == 0:
        return "must not use port 0"
    if parts.fragment:
        return "must not have a #fragment"
    return None


@cache
def _allowed(spec: str) -> tuple[Network, ...]:
    networks = []
    for part in spec.split(","):
        if not part.strip():
            continue
        try:
            networks.append(ipaddress.ip_network(part.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"LODESTAR_WEBHOOK_ALLOWED_NETWORKS: {part.strip()!r} is not a network "
                "(write CIDRs such as 10.20.0.0/16, separated by commas)."
            ) from exc
    return tuple(networks)


def allowed_networks() -> tuple[Network, ...]:
    """The private networks receivers may be on (``LODESTAR_WEBHOOK_ALLOWED_NETWORKS``)."""
    return _allowed(str(settings.WEBHOOK_ALLOWED_NETWORKS or ""))


def _embedded(address: IPAddress) -> IPAddress | None:
    """The IPv4 address an IPv6 one carries (IPv4-mapped, 6to4, NAT64), if any."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _kind(address: IPAddress) -> str | None:
    if address in METADATA:
        return "a cloud metadata address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if isinstance(address, ipaddress.IPv4Address) and address in SHARED:
        return "a shared (carrier-grade NAT) address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "not a public address"
    return None


def address_refusal(address: IPAddress) -> str | None:
    """Why a webhook may not be sent to ``address`` (one the host resolved to); None if it may."""
    inner = _embedded(address)
    candidates = [address] if inner is None else [address, inner]
    if any(candidate in METADATA for candidate in candidates):
        return "a cloud metadata address"
    allowed = allowed_networks()
    if any(candidate in network for candidate in candidates for network in allowed):
        return None
    # The IPv4 address an IPv6 one carries says more than the IPv6 range it is written in.
    for candidate in reversed(candidates):
        kind = _kind(candidate)
        if kind is not None:
            return kind if candidate is address else f"{kind} (in IPv6 form)"
    return None


def _resolve(host: str, port: int) -> IPAddress:
    """The one address to connect to: every address ``host`` resolves to must be allowed."""
    literal = host.strip("[]")
    try:
        addresses: list[IPAddress] = [ipaddress.ip_address(literal)]
    except ValueError:
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise RequestFailed(f"could not resolve {host}: {exc}") from exc
        addresses = []
        for _family, _type, _proto, _name, sockaddr in found:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise RequestFailed(f"could not resolve {host}: no address") from None
    for address in addresses:
        reason = address_refusal(address)
        if reason is not None:
            shown = str(address) if str(address) == literal else f"{host} resolves to {address}"
            raise Refused(f"{shown}, {reason}")
    return addresses[0]


def _connect(address: IPAddress, port: int, timeout: float) -> socket.socket:
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect((str(address), port))
    except BaseException:
        sock.close()
        raise
    return sock


class _Pinned(http.client.HTTPConnection):
    """An HTTP connection to ``address``, whatever ``host`` (sent as ``Host``) resolves to."""

    def __init__(self, host: str, port: int, *, address: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = _connect(self.address, self.port, self.timeout)  # type: ignore[arg-type]


class _PinnedTLS(http.client.HTTPSConnection):
    """An HTTPS connection to ``address``, verifying the certificate for ``host``."""

    def __init__(self, host: str, port: int, *, address: IPAddress, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        sock = _connect(self.address, self.port, self.timeout)  # type: ignore[arg-type]
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


def _read(response: http.client.HTTPResponse, deadline: float) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_RESPONSE_BYTES:
        if time.monotonic() > deadline:
            raise RequestFailed("timed out reading the answer")
        chunk = response.read1(MAX_RESPONSE_BYTES + 1 - size)
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)[:MAX_RESPONSE_BYTES], True


def post(
    url: str, body: bytes, headers: dict[str, str], *, timeout: float | None = None
) -> Response:
    """POST ``body`` to ``url`` under the rules above; ``Refused`` or ``RequestFailed`` when no
    answer came (a refusal is logged)."""
    limit = float(settings.WEBHOOK_TIMEOUT_SECONDS if timeout is None else timeout)
    problem = url_problem(url)
    if problem is not None:
        raise Refused(f"the URL {problem}")
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        address = _resolve(host, port)
    except Refused as refused:
        logger.warning("Refused a webhook request to %s: %s.", url[:200], refused.reason)
        raise
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    deadline = time.monotonic() + limit
    kind = _PinnedTLS if parts.scheme == "https" else _Pinned
    connection = kind(host, port, address=address, timeout=limit)
    try:
        connection.request("POST", path, body=body, headers=headers)
        if connection.sock is not None:
            connection.sock.settimeout(max(0.001, deadline - time.monotonic()))
        response = connection.getresponse()
        content, truncated = _read(response, deadline)
        return Response(
            status=response.status,
            headers={k.lower(): v for k, v in response.getheaders()},
            body=content,
            truncated=truncated,
            address=str(address),
        )
    except TimeoutError as exc:
        raise RequestFailed(f"timed out after {limit:g} s") from exc
    except ssl.SSLError as exc:
        raise RequestFailed(f"TLS failed: {exc.reason or exc}") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise RequestFailed(f"{type(exc).__name__}: {exc}"[:300]) from exc
    finally:
        connection.close()
