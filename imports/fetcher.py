"""Fetch one web page for import, safely: timeout, size cap, no private addresses.

A URL typed by a user is fetched by our worker, inside our network, so it must
not reach loopback, private, link-local (cloud metadata at 169.254.169.254) or
other non-public addresses. The host name is resolved here, every resolved
address is checked, and the connection goes to the checked address (the name
travels in the Host header and TLS SNI), so a DNS answer that changes between
check and connect cannot slip through. Redirects are followed by hand, each
hop checked the same way. ``IMPORT_ALLOW_PRIVATE_URLS`` lifts the address rule;
``IMPORT_ALLOWED_PRIVATE_NETWORKS`` lifts it for named networks only (tests
allow 127.0.0.1/32 and still see 127.0.0.2 refused).

``IMPORT_FETCH_MAX_BYTES`` caps the page after decompression: a gzip- or
deflate-encoded body is read raw and inflated here at most
``INFLATE_CHUNK_BYTES`` per step, so a small compressed body that would
inflate to gigabytes is refused as soon as the page passes the cap. (httpx's
own decoders inflate each network chunk whole, up to a thousand times its size.)
"""

from __future__ import annotations

import dataclasses
import ipaddress
import socket
import time
import zlib
from collections.abc import Iterable, Iterator
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings

MAX_REDIRECTS = 5
ACCEPTED_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
USER_AGENT = "annotator-import/1 (fetches one page a user asked to import)"
# Content-Encodings inflated here, with a cap; the request asks for no others.
ACCEPTED_ENCODINGS = ("gzip", "deflate")
INFLATE_CHUNK_BYTES = 64 * 1024


class FetchError(Exception):
    """The page could not be fetched; the message says why, for the user.

    ``transient`` marks failures that may pass (a timeout, a dropped or reset
    connection, a 5xx answer), which the import task tries again; a 4xx, a
    refused address or a page we will not take fails at once.
    """

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


@dataclasses.dataclass
class FetchedPage:
    requested_url: str
    final_url: str
    status_code: int
    content_type: str
    body: bytes


def _non_public_reason(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_unspecified:
        return "a non-public address (unspecified)"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private:
        return "a private network address"
    if ip.is_multicast or ip.is_reserved or ip.is_unspecified or not ip.is_global:
        return "a non-public address"
    return None


def _explicitly_allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    for network in settings.IMPORT_ALLOWED_PRIVATE_NETWORKS:
        try:
            if ip in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue  # a malformed entry allows nothing
    return False


def resolve_public(host: str, port: int) -> str:
    """The first address of ``host``, after checking that every one is public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        # EAI_AGAIN: the resolver could not answer now; any other answer is final.
        transient = getattr(exc, "errno", None) == socket.EAI_AGAIN
        raise FetchError(
            f"The host {host!r} could not be resolved ({exc}).", transient=transient
        ) from None
    addresses = []
    for info in infos:
        address = info[4][0].split("%", 1)[0]  # drop an IPv6 zone id
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise FetchError(f"The host {host!r} has no address.")
    if not settings.IMPORT_ALLOW_PRIVATE_URLS:
        for address in addresses:
            ip = ipaddress.ip_address(address)
            reason = _non_public_reason(ip)
            if reason and not _explicitly_allowed(ip):
                raise FetchError(
                    f"Refused: {host} resolves to {address}, {reason}. Only public web "
                    "pages can be imported."
                )
    return addresses[0]


def check_url(url: str) -> tuple[str, str, int]:
    """Scheme, host and port of an http(s) URL, or FetchError."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"{url!r} is not a valid URL ({exc}).") from None
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"Only http and https URLs can be imported, not {parts.scheme or url!r}.")
    if not parts.hostname:
        raise FetchError(f"{url!r} has no host name.")
    if parts.username or parts.password:
        raise FetchError("Remove the user name and password from the URL.")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def fetch_page(url: str) -> FetchedPage:
    """GET ``url`` following at most ``MAX_REDIRECTS`` checked redirects."""
    timeout = settings.IMPORT_FETCH_TIMEOUT_SECONDS
    limit = settings.IMPORT_FETCH_MAX_BYTES
    deadline = time.monotonic() + timeout
    current = url
    # trust_env=False: no proxy from the environment may route around the checks.
    with httpx.Client(
        follow_redirects=False, trust_env=False, timeout=httpx.Timeout(timeout)
    ) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            scheme, host, port = check_url(current)
            address = resolve_public(host, port)
            parts = urlsplit(current)
            ip_host = f"[{address}]" if ":" in address else address
            target = parts._replace(netloc=f"{ip_host}:{port}").geturl()
            default_port = port == (443 if scheme == "https" else 80)
            headers = {
                "Host": host if default_port else f"{host}:{port}",
                "User-Agent": USER_AGENT,
                "Accept": "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.5",
                "Accept-Encoding": ", ".join(ACCEPTED_ENCODINGS),
            }
            extensions = {"sni_hostname": host} if scheme == "https" else {}
            try:
                with client.stream(
                    "GET", target, headers=headers, extensions=extensions
                ) as response:
                    if response.is_redirect:
                        location = response.headers.get("location", "")
                        if not location:
                            raise FetchError(f"{current} redirects without a Location header.")
                        current = urljoin(current, location)
                        continue
                    if response.status_code >= 400:
                        raise FetchError(
                            f"The server answered {response.status_code} "
                            f"{response.reason_phrase} for {current}.",
                            transient=response.status_code >= 500,
                        )
                    content_type = response.headers.get("content-type", "")
                    media = content_type.split(";", 1)[0].strip().lower()
                    if media and media not in ACCEPTED_TYPES:
                        raise FetchError(
                            f"{current} is {media}, not a web page; upload the file instead."
                        )
                    declared = response.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > limit:
                        raise FetchError(_too_large(current, limit))
                    body = _read_body(response, url=current, limit=limit, deadline=deadline)
                    return FetchedPage(
                        requested_url=url,
                        final_url=current,
                        status_code=response.status_code,
                        content_type=content_type[:200],
                        body=body,
                    )
            except httpx.TimeoutException:
                raise FetchError(
                    f"{current} did not answer within {timeout}s.", transient=True
                ) from None
            except httpx.TransportError as exc:
                # Refused, reset or dropped connections: the server may be back soon.
                transient = not isinstance(exc, httpx.UnsupportedProtocol)
                raise FetchError(
                    f"{current} could not be fetched: {exc}.", transient=transient
                ) from None
            except httpx.HTTPError as exc:
                raise FetchError(f"{current} could not be fetched: {exc}.") from None
    raise FetchError(f"{url} redirects more than {MAX_REDIRECTS} times.")


def _too_large(url: str, limit: int) -> str:
    return f"{url} is larger than {limit // 1024:,} KB; save the page and upload the file."


def _read_body(response: httpx.Response, *, url: str, limit: int, deadline: float) -> bytes:
    """The decoded body, refused once it passes ``limit`` bytes or the deadline."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding == "x-gzip":
        encoding = "gzip"
    if encoding not in ("", "identity", *ACCEPTED_ENCODINGS):
        raise FetchError(
            f"{url} is sent with Content-Encoding {encoding[:40]!r}, which the importer does "
            "not decode; save the page and upload the file."
        )
    received = 0

    def raw_chunks() -> Iterator[bytes]:
        nonlocal received
        for raw in response.iter_raw():
            received += len(raw)
            if received > limit:
                raise FetchError(_too_large(url, limit))
            if time.monotonic() > deadline:
                raise FetchError(
                    f"{url} took longer than {settings.IMPORT_FETCH_TIMEOUT_SECONDS}s to send.",
                    transient=True,
                )
            yield raw

    body = bytearray()
    chunks = raw_chunks() if encoding in ("", "identity") else _inflate(raw_chunks(), encoding)
    for chunk in chunks:
        body.extend(chunk)
        if len(body) > limit:
            if encoding in ("", "identity"):
                raise FetchError(_too_large(url, limit))
            raise FetchError(
                f"{url} would inflate past {limit // 1024:,} KB ({encoding}-compressed: "
                f"{received // 1024:,} KB received so far); the limit is {limit // 1024:,} KB "
                "once inflated. Save the page and upload the file."
            )
    return bytes(body)


def _inflate(raw_chunks: Iterable[bytes], encoding: str) -> Iterator[bytes]:
    """Inflate a gzip or deflate stream, at most ``INFLATE_CHUNK_BYTES`` per step.

    ``max_length`` bounds each step's output; the input it did not consume
    waits in ``unconsumed_tail`` for the next step, so memory stays at one
    network chunk plus one step whatever the ratio.
    """
    # "deflate" should be zlib-wrapped, but some servers send it raw (as httpx allows).
    wbits = zlib.MAX_WBITS | 16 if encoding == "gzip" else zlib.MAX_WBITS
    inflater = zlib.decompressobj(wbits)
    first = True
    try:
        for raw in raw_chunks:
            data = raw
            while data:
                try:
                    out = inflater.decompress(data, INFLATE_CHUNK_BYTES)
                except zlib.error:
                    if not (first and encoding == "deflate"):
                        raise
                    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    out = inflater.decompress(data, INFLATE_CHUNK_BYTES)
                first = False
                if out:
                    yield out
                data = inflater.unconsumed_tail
                if inflater.eof:
                    return  # what follows the stream's end is not part of the page
            # A step that filled its output may hold more for the same input.
            while not inflater.eof and (out := inflater.decompress(b"", INFLATE_CHUNK_BYTES)):
                yield out
        if not inflater.eof:
            yield inflater.flush()
    except zlib.error as exc:
        raise FetchError(f"The page's {encoding} data is damaged ({exc}).") from None
