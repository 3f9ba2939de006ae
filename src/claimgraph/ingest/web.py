"""Fetch one URL safely: the only code in claimgraph that opens a network connection.

``fetch(url, limits)`` reads an ``http``/``https`` URL and returns its status, headers
and body. What it guards against:

- schemes other than http and https (``file:``, ``ftp:``, ``javascript:`` ...);
- hosts resolving to private, loopback, link-local, multicast or reserved addresses
  (every address the name resolves to is checked; the connection then goes to the
  checked address, so a second DNS answer cannot swap in another), unless
  ``FetchLimits.allow_private`` is set;
- slow or endless servers (a per-operation timeout and a deadline for the whole
  response), bodies over ``max_bytes`` (compressed or not), redirect loops (each
  hop is checked like the first URL).

It sends ``User-Agent: claimgraph/VERSION``. Status 200-299 and 304 come back as a
``Response``; anything else raises ``FetchError``. Bodies are bytes, never executed.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
import zlib
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from claimgraph import __version__
from claimgraph.errors import InputError

USER_AGENT = f"claimgraph/{__version__}"
# Largest body read, after decompression. News article pages run 50-500 kB and large
# feeds 1-2 MB; 5 MB leaves room for pages heavy with inline scripts.
MAX_BYTES = 5 * 1024 * 1024
# Seconds for connecting and for each read, and for a whole response. Publishers'
# servers answer in well under a second; 20 s tolerates a slow one on a bad day.
TIMEOUT_SECONDS = 20.0
DEADLINE_SECONDS = 60.0
# Redirects followed before giving up (browsers allow ~20; news sites use 1-3:
# http -> https -> canonical path).
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset((301, 302, 303, 307, 308))
SCHEMES = {"http": 80, "https": 443}
CHUNK_BYTES = 64 * 1024
PATH_SAFE = "!#$%&'()*+,-./:;=?@[]~_"


class FetchError(InputError):
    """A URL could not be fetched. ``transient`` is True when trying later may succeed
    (timeouts, refused connections, 5xx and 429 answers)."""

    def __init__(self, url: str, problem: str, *, transient: bool = False) -> None:
        super().__init__(url, problem)
        self.transient = transient


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """What a fetch may do: addresses allowed, sizes and times."""

    allow_private: bool = False
    max_bytes: int = MAX_BYTES
    timeout: float = TIMEOUT_SECONDS
    deadline: float = DEADLINE_SECONDS
    max_redirects: int = MAX_REDIRECTS


@dataclass(frozen=True, slots=True)
class Response:
    """An answer: ``url`` is the final one after redirects; header names are lower case."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def fetch(url: str, limits: FetchLimits, headers: dict[str, str] | None = None) -> Response:
    """GET ``url`` (following redirects) with ``headers`` added; raises FetchError."""
    sent = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip", **(headers or {})}
    started = time.monotonic()
    current = url
    for _hop in range(limits.max_redirects + 1):
        response = _get_once(current, sent, limits, started)
        if response.status not in REDIRECT_STATUSES:
            return response
        location = response.headers.get("location")
        if not location:
            raise FetchError(current, f"HTTP {response.status} redirect without a Location")
        current = urljoin(current, location.strip())
    raise FetchError(url, f"more than {limits.max_redirects} redirects")


def check_url(url: str, allow_private: bool) -> tuple[str, int, str]:
    """(host, port, address to connect to) for an acceptable URL; raises FetchError.

    Resolves the host name; refuses it when any address it resolves to is not a
    public one, unless ``allow_private``.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise FetchError(url, f"only http and https URLs are fetched, not {scheme or 'a relative URL'!r}")
    if not parts.hostname:
        raise FetchError(url, "no host in the URL")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise FetchError(url, f"bad host name: {error}") from error
    try:
        port = parts.port or SCHEMES[scheme]
    except ValueError as error:
        raise FetchError(url, f"bad port: {error}") from error
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise FetchError(url, f"cannot resolve host {host!r}: {error}", transient=True) from error
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise FetchError(url, f"host {host!r} resolves to no address", transient=True)
    if not allow_private:
        for address in addresses:
            kind = non_public_kind(address)
            if kind is not None:
                raise FetchError(url, f"refused: {host!r} resolves to a {kind} address ({address})")
    return host, port, addresses[0]


def non_public_kind(address: str) -> str | None:
    """Why an IP address is not a public one ("loopback", "private", ...), or None when it is."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind, test in (
        ("loopback", ip.is_loopback),
        ("unspecified", ip.is_unspecified),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),  # last: Python counts the kinds above as private too
    ):
        if test:
            return kind
    return None if ip.is_global else "non-public"


def _get_once(url: str, headers: dict[str, str], limits: FetchLimits, started: float) -> Response:
    host, port, address = check_url(url, limits.allow_private)
    parts = urlsplit(url)
    # Non-ASCII characters and spaces escaped; escapes already there are kept.
    target = quote(parts.path or "/", safe=PATH_SAFE)
    if parts.query:
        target += "?" + quote(parts.query, safe=PATH_SAFE)
    connection = _connection(parts.scheme.lower(), host, port, address, limits.timeout)
    try:
        connection.request("GET", target, headers=headers)
        answer = connection.getresponse()
        status = answer.status
        found = {name.lower(): value for name, value in answer.getheaders()}
        if status in REDIRECT_STATUSES or status == 304:
            return Response(url, status, found, b"")
        if not 200 <= status < 300:
            transient = status >= 500 or status == 429
            raise FetchError(url, f"HTTP {status} {answer.reason}".rstrip(), transient=transient)
        declared = found.get("content-length", "")
        if declared.isdigit() and int(declared) > limits.max_bytes:
            raise FetchError(url, f"too large: {declared} bytes (limit {limits.max_bytes})")
        body = _read_body(answer, url, found.get("content-encoding", ""), limits, started)
        return Response(url, status, found, body)
    except TimeoutError as error:
        raise FetchError(url, f"timed out after {limits.timeout:g} s", transient=True) from error
    except (ssl.SSLError, ssl.CertificateError) as error:
        raise FetchError(url, f"TLS failed: {error}") from error
    except OSError as error:
        raise FetchError(url, f"connection failed: {error.strerror or error}", transient=True) from error
    except http.client.HTTPException as error:
        raise FetchError(url, f"bad HTTP answer: {type(error).__name__}", transient=True) from error
    except (ValueError, UnicodeError) as error:  # http.client refuses some URLs and header values
        raise FetchError(url, f"cannot request this URL: {error}") from error
    finally:
        connection.close()


def _read_body(
    answer: http.client.HTTPResponse, url: str, encoding: str, limits: FetchLimits, started: float
) -> bytes:
    """The body, decompressed when gzip or deflate, never more than ``max_bytes``."""
    encoding = encoding.strip().lower()
    if encoding in ("gzip", "x-gzip"):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        inflater = zlib.decompressobj()
    elif encoding in ("", "identity"):
        inflater = None
    else:
        raise FetchError(url, f"unsupported content encoding {encoding!r}")
    parts: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() - started > limits.deadline:
            raise FetchError(url, f"took longer than {limits.deadline:g} s", transient=True)
        chunk = answer.read(CHUNK_BYTES)
        if not chunk:
            break
        if inflater is not None:
            try:
                chunk = inflater.decompress(chunk, limits.max_bytes - size + 1)
            except zlib.error as error:
                raise FetchError(url, f"bad {encoding} body: {error}") from error
        size += len(chunk)
        if size > limits.max_bytes:
            raise FetchError(url, f"too large: over {limits.max_bytes} bytes")
        parts.append(chunk)
    if inflater is not None:
        parts.append(inflater.flush())
        if size + len(parts[-1]) > limits.max_bytes:
            raise FetchError(url, f"too large: over {limits.max_bytes} bytes")
    return b"".join(parts)


def _connection(
    scheme: str, host: str, port: int, address: str, timeout: float
) -> http.client.HTTPConnection:
    if scheme == "https":
        return _PinnedHTTPSConnection(host, port, address, timeout)
    return _PinnedHTTPConnection(host, port, address, timeout)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to ``host`` (in the Host header) over a socket to the already checked ``address``."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to ``host`` (certificate and SNI checked for it) over a socket to ``address``."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)
