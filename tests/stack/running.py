"""Start the real product (gateway + NLU + actions + a real Rasa server) in a subprocess on free
ports with its own SQLite ledger; shared by the stack tests and the end-to-end benches."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Stack:
    url: str
    rasa_port: int
    log: Path
    database_url: str
    env: dict[str, str]
    proc: subprocess.Popen = field(init=False)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60)

    def wait_ready(self, timeout_s: float = 300) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"bankbot serve exited; log:\n{self.log.read_text()[-4000:]}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1)
        raise TimeoutError(f"stack not ready; log:\n{self.log.read_text()[-4000:]}")

    def start(self) -> None:
        """(Re)start ``bankbot serve`` on this stack's ports and database, appending to its log."""
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve"], cwd=ROOT, env=self.env,
                                         stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def rasa_pid(self) -> int:
        out = subprocess.run(["pgrep", "-f", f"run --enable-api .*--port {self.rasa_port}"],
                             capture_output=True, text=True).stdout.split()
        return int(out[0])


@contextlib.contextmanager
def run_stack(tmp: Path, extra_env: dict[str, str] | None = None,
              ready_timeout_s: float = 300) -> Iterator[Stack]:
    """The whole product on free ports with its own SQLite ledger under ``tmp``."""
    port, rasa_port = free_port(), free_port()
    database_url = f"sqlite:///{tmp / 'bank.db'}"
    env = {**os.environ, "BANKBOT_PORT": str(port), "BANKBOT_RASA_PORT": str(rasa_port),
           "BANKBOT_DATABASE_URL": database_url, **(extra_env or {})}
    log = tmp / "serve.log"
    # Train first (a no-op when models are current) so readiness below only measures start-up.
    subprocess.run([sys.executable, "-m", "bot.cli", "train"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    log.write_bytes(b"")
    running = Stack(f"http://127.0.0.1:{port}", rasa_port, log, database_url, env)
    running.start()
    try:
        running.wait_ready(ready_timeout_s)
        yield running
    finally:
        proc = running.proc
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
