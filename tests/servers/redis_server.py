"""A redis-server of the test's own on a free loopback port, without persistence (the
setting docs/operations.md allows), that the test can ``kill -9`` and start again on
the same port: everything it held is gone, as after a real crash of such a Redis."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from pathlib import Path

from tests.conftest import free_port, unavailable


class LoopbackRedis:
    def __init__(self, directory: Path) -> None:
        self.binary = shutil.which("redis-server") or ""
        if not self.binary:
            unavailable("redis-server is not installed (apt-get install redis-server)")
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> LoopbackRedis:
        import redis

        with (self.directory / "redis.log").open("ab") as sink:
            self.process = subprocess.Popen(
                [self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no", "--dir", str(self.directory)],
                stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=1).ping()
                return self
            except redis.RedisError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = (self.directory / "redis.log").read_text(errors="replace")
                    raise RuntimeError(f"redis-server did not start:\n{log[-2000:]}") from None
                time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no save; what it held is lost."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def restart(self, pause: float = 0.0) -> None:
        self.kill()
        time.sleep(pause)
        self.start()
        self.restarts += 1

    def stop(self) -> None:
        self.kill()
