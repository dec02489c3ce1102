"""Run the Rasa server as a child process and bring it back when it dies.

Customers keep getting answers from the gateway while Rasa restarts (a reply asking them to send
again), so the supervisor never blocks a request: it only owns the process lifecycle. It owns it
for real: Rasa runs in its own process group, dies with the app (``PR_SET_PDEATHSIG``, so even a
``kill -9`` of the app leaves no orphan holding the port with a stale token), and a pidfile lets
the next start clean up a child that survived anyway (another OS, a crash between fork and exec).
Rasa's HTTP API requires the app's internal token (``--auth-token``, passed so that other local
users cannot read it from the process list).
"""
from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import sys
import time
from pathlib import Path

from bot.rasa.endpoints import write_endpoints
from bot.rasa.project import model_path
from bot.settings import Settings

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
TOKEN_VARIABLE = "BANKBOT_RASA_AUTH_TOKEN"
# Rasa takes its API token only as an argument, and any local user can read a process's
# arguments (/proc/<pid>/cmdline) but not its environment: the launcher hands the token over in
# the environment and adds the argument inside the process (``sys.argv`` is not the kernel's copy).
_LAUNCH = ("import os, sys; from rasa.__main__ import main; "
           f"sys.argv = ['rasa', *sys.argv[1:], '--auth-token=' + os.environ.pop({TOKEN_VARIABLE!r})]; main()")
_STABLE_S = 60.0  # a Rasa that ran this long before dying restarts after the shortest back-off


def _own_group_and_die_with_parent() -> None:
    """Runs in the child between fork and exec: its own process group (so stopping it stops
    whatever it started) and SIGTERM when the app dies, however it dies (Linux)."""
    os.setsid()
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _is_rasa_on_port(pid: int, port: int) -> bool:
    """Whether ``pid`` is still a Rasa server on ``port`` (a pid may have been reused since)."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return any(b"rasa" in a for a in argv) and str(port).encode() in argv


def stop_stale_child(pidfile: Path, port: int) -> bool:
    """Stop the Rasa an earlier app left running on ``port`` (recorded in ``pidfile``), so this
    app's own Rasa can bind the port; True when there was one."""
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return False
    if not _is_rasa_on_port(pid, port):
        pidfile.unlink(missing_ok=True)
        return False
    log.warning("stopping Rasa pid=%s left running on port %s by an earlier start", pid, port)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while _is_rasa_on_port(pid, port) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _is_rasa_on_port(pid, port):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    pidfile.unlink(missing_ok=True)
    return True


class RasaSupervisor:
    """Start, watch and restart ``rasa run --enable-api`` bound to loopback."""

    def __init__(self, settings: Settings, max_backoff_s: float = 30.0) -> None:
        self._settings = settings
        self._max_backoff_s = max_backoff_s
        self._proc: asyncio.subprocess.Process | None = None
        self._task: asyncio.Task | None = None
        self._stopping = False
        self.restarts = 0

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc and self._proc.returncode is None else None

    def command(self) -> list[str]:
        """``rasa run`` through the launcher in Rasa's own Python; the token travels in the
        environment (``TOKEN_VARIABLE``), never on the command line."""
        endpoints, credentials = write_endpoints(self._settings)
        return [
            str(self._settings.rasa_bin.parent / "python"), "-c", _LAUNCH, "run", "--enable-api",
            "--interface", "127.0.0.1", "--port", str(self._settings.rasa_port),
            "--model", str(model_path(self._settings)),
            "--endpoints", str(endpoints), "--credentials", str(credentials),
        ]

    @property
    def pidfile(self) -> Path:
        return self._settings.var_dir / "run" / f"rasa-{self._settings.rasa_port}.pid"

    async def start(self) -> None:
        """Launch Rasa and the watcher task; returns immediately (Rasa loads in the background)."""
        self._stopping = False
        await asyncio.to_thread(stop_stale_child, self.pidfile, self._settings.rasa_port)
        self._task = asyncio.create_task(self._watch(), name="rasa-supervisor")

    async def _spawn(self) -> asyncio.subprocess.Process:
        log_dir: Path = self._settings.var_dir / "log"
        log_dir.mkdir(parents=True, exist_ok=True)
        log_file = open(log_dir / "rasa.log", "ab")  # noqa: SIM115 - handed to the child
        env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
               TOKEN_VARIABLE: self._settings.internal_token}
        proc = await asyncio.create_subprocess_exec(
            *self.command(), stdout=log_file, stderr=asyncio.subprocess.STDOUT, env=env,
            cwd=str(self._settings.var_dir / "rasa"), preexec_fn=_own_group_and_die_with_parent,
        )
        log_file.close()
        self.pidfile.parent.mkdir(parents=True, exist_ok=True)
        self.pidfile.write_text(f"{proc.pid}\n")
        log.info("started Rasa server pid=%s on 127.0.0.1:%s", proc.pid, self._settings.rasa_port)
        return proc

    async def _watch(self) -> None:
        backoff = 1.0
        while not self._stopping:
            self._proc = await self._spawn()
            started = time.monotonic()
            code = await self._proc.wait()
            if self._stopping:
                break
            self.restarts += 1
            if time.monotonic() - started > _STABLE_S:
                backoff = 1.0
            log.error("Rasa server exited with %s; restarting in %.0f s", code, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self._max_backoff_s)

    async def stop(self) -> None:
        """Terminate Rasa's process group (SIGTERM, then SIGKILL after 10 s) and the watcher."""
        self._stopping = True
        proc = self._proc
        if proc and proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), timeout=10)
            except asyncio.TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                await proc.wait()
        self.pidfile.unlink(missing_ok=True)
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
