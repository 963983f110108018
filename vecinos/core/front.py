"""The buffering front of ``vecinos serve``: an asyncio server that takes each request
whole before a worker thread sees it.

gunicorn's threaded workers read a request inside a worker thread: a client that sends
its headers one byte a minute (slowloris) holds that thread for as long as it likes,
and a few dozen such connections hold them all. Here one event loop holds any number
of slow connections for almost nothing, and gives each at most ``HEADER_SECONDS`` for
its headers and ``BODY_SECONDS`` for its body; only a complete request is passed to
gunicorn, on loopback, with ``Connection: close`` and the client's address appended to
``X-Forwarded-For`` (``vecinos serve`` trusts the loopback peer for it, see
vecinos/core/middleware.py). The answer is streamed back as it comes (the console's
event stream included). Like gunicorn, it logs no client address.

Run by ``vecinos serve`` as ``python -m vecinos.core.front LISTEN UPSTREAM`` (no Django:
it starts in milliseconds and shares nothing with the workers); it ends with its parent.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import signal
import socket
import sys

logger = logging.getLogger("vecinos.front")

HEADER_SECONDS = 10.0  # the whole request line and headers
BODY_SECONDS = 60.0  # the whole body (a photo over a slow phone link)
MAX_HEADER_BYTES = 32 * 1024
# The largest request the site takes: a report with its photo as a phone sends it
# (VECINOS_PHOTO_MAX_BYTES, 20 MiB by default, and its text) fits.
MAX_BODY_BYTES = 24 * 1024 * 1024
MAX_CONNECTIONS = 4096
# Hop-by-hop headers (RFC 9110, 7.6.1), replaced by our own Connection: close.
HOP = {b"connection", b"keep-alive", b"proxy-connection", b"te", b"upgrade", b"expect"}


def _answer(status: str, text: str) -> bytes:
    body = text.encode()
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body


class Front:
    def __init__(
        self,
        upstream: tuple[str, int],
        trusted: list[ipaddress.IPv4Network | ipaddress.IPv6Network],
    ) -> None:
        self.upstream = upstream
        self.trusted = trusted
        self.open = 0

    def _trusted(self, peer: str) -> bool:
        try:
            ip = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(ip in net for net in self.trusted)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.open += 1
        try:
            if self.open > MAX_CONNECTIONS:
                return
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError, OSError):
            pass
        finally:
            self.open -= 1
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peername = writer.get_extra_info("peername")
        peer = peername[0] if isinstance(peername, tuple) else ""
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HEADER_SECONDS)
        except asyncio.LimitOverrunError:
            writer.write(_answer("431 Request Header Fields Too Large", "Headers too large."))
            return
        except (TimeoutError, asyncio.IncompleteReadError):
            return  # too slow, or gone: nothing reached a worker
        lines = head[:-4].split(b"\r\n")
        request_line, fields = lines[0], []
        length = 0
        forwarded = b""
        for line in lines[1:]:
            name, colon, value = line.partition(b":")
            key = name.strip().lower()
            if not colon or not key:
                writer.write(_answer("400 Bad Request", "Malformed header."))
                return
            value = value.strip()
            if key in HOP:
                if key == b"expect" and value.lower() == b"100-continue":
                    writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                continue
            if key == b"transfer-encoding":
                writer.write(_answer("411 Length Required", "Send a Content-Length."))
                return
            if key == b"content-length":
                if not value.isdigit() or (length and int(value) != length):
                    writer.write(_answer("400 Bad Request", "Bad Content-Length."))
                    return
                length = int(value)
                if length > MAX_BODY_BYTES:
                    writer.write(_answer("413 Content Too Large", "Request too large."))
                    return
            if key == b"x-forwarded-for":
                forwarded = value if not forwarded else forwarded + b", " + value
                continue
            if key in {b"x-forwarded-proto", b"forwarded"} and not self._trusted(peer):
                continue  # only a proxy the operator trusts may say how the client came
            fields.append(line)
        body = b""
        if length:
            body = await asyncio.wait_for(reader.readexactly(length), BODY_SECONDS)
        client = peer.encode()
        chain = forwarded + b", " + client if forwarded else client
        if forwarded and not self._trusted(peer):
            chain = client  # what an untrusted client claims proves nothing
        request = b"\r\n".join(
            [request_line, *fields, b"X-Forwarded-For: " + chain, b"Connection: close"]
        )
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.write(_answer("503 Service Unavailable", "Starting; try again."))
            return
        try:
            up_writer.write(request + b"\r\n\r\n" + body)
            await up_writer.drain()
            await self._relay(up_reader, writer, reader)
        finally:
            up_writer.close()

    async def _relay(
        self,
        upstream: asyncio.StreamReader,
        client: asyncio.StreamWriter,
        client_reader: asyncio.StreamReader,
    ) -> None:
        """The answer, as it comes, until gunicorn closes; stops early if the client
        goes away (its end of the stream reads EOF)."""
        gone = asyncio.ensure_future(client_reader.read(1))
        try:
            while True:
                chunk = asyncio.ensure_future(upstream.read(65536))
                done, _pending = await asyncio.wait(
                    {chunk, gone}, return_when=asyncio.FIRST_COMPLETED
                )
                if chunk not in done:
                    chunk.cancel()
                    return
                data = chunk.result()
                if not data:
                    return
                client.write(data)
                await client.drain()
        finally:
            gone.cancel()


async def serve(listen: str, upstream: str, trusted: list[str]) -> None:
    host, _, port = upstream.rpartition(":")
    networks = [ipaddress.ip_network(net, strict=False) for net in trusted if net]
    front = Front((host.strip("[]"), int(port)), networks)
    if listen.startswith("unix:"):
        server = await asyncio.start_unix_server(
            front.handle, path=listen[len("unix:") :], limit=MAX_HEADER_BYTES
        )
    else:
        lhost, _, lport = listen.rpartition(":")
        server = await asyncio.start_server(
            front.handle,
            host=lhost.strip("[]"),
            port=int(lport),
            limit=MAX_HEADER_BYTES,
            reuse_address=True,
            family=socket.AF_INET6 if lhost.startswith("[") else socket.AF_INET,
        )
    parent = os.getppid()
    async with server:
        while os.getppid() == parent:  # ends with vecinos serve, however it ends
            await asyncio.sleep(1.0)


def main(argv: list[str]) -> None:
    listen, upstream, *trusted = argv
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C stops gunicorn, which stops us
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(listen, upstream, trusted))


if __name__ == "__main__":
    main(sys.argv[1:])
