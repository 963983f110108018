"""A slippy-map tile server for tests: ``GET /{z}/{x}/{y}.png`` answers a small PNG, as
OpenStreetMap's tile servers do, and remembers each request's path and headers (to
check that the site's proxy sends nothing of its visitors)."""

from __future__ import annotations

import base64
import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# A 1-pixel transparent PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
TILE_PATH = re.compile(r"^/(\d+)/(\d+)/(\d+)\.png$")


@dataclass
class TileRequest:
    path: str
    headers: dict[str, str]


class TileServer:
    def __init__(self, port: int = 0) -> None:
        self.requests: list[TileRequest] = []
        self.down = False
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def template(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/{{z}}/{{x}}/{{y}}.png"

    def start(self) -> TileServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with server._lock:
                    server.requests.append(TileRequest(self.path, dict(self.headers.items())))
                if server.down:
                    self.send_response(503)
                    self.end_headers()
                    return
                if not TILE_PATH.match(self.path):
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(PNG)))
                self.end_headers()
                self.wfile.write(PNG)

        return Handler
