"""Run the Rasa server as a child process and bring it back when it dies.

Customers keep getting answers from the gateway while Rasa restarts (a holding reply), so the
supervisor never blocks a request: it only owns the process lifecycle.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from pathlib import Path

from bot.rasa.endpoints import write_endpoints
from bot.rasa.project import model_path
from bot.settings import Settings

log = logging.getLogger(__name__)


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
        endpoints, credentials = write_endpoints(self._settings)
        return [
            str(self._settings.rasa_bin), "run", "--enable-api",
            "--interface", "127.0.0.1", "--port", str(self._settings.rasa_port),
            "--model", str(model_path(self._settings)),
            "--endpoints", str(endpoints), "--credentials", str(credentials),
        ]

    async def start(self) -> None:
        """Launch Rasa and the watcher task; returns immediately (Rasa loads in the background)."""
        self._stopping = False
        self._task = asyncio.create_task(self._watch(), name="rasa-supervisor")

    async def _spawn(self) -> asyncio.subprocess.Process:
        log_dir: Path = self._settings.var_dir / "log"
        log_dir.mkdir(parents=True, exist_ok=True)
        log_file = open(log_dir / "rasa.log", "ab")  # noqa: SIM115 - handed to the child
        env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
        proc = await asyncio.create_subprocess_exec(
            *self.command(), stdout=log_file, stderr=asyncio.subprocess.STDOUT, env=env,
            cwd=str(self._settings.var_dir / "rasa"),
        )
        log_file.close()
        log.info("started Rasa server pid=%s on 127.0.0.1:%s", proc.pid, self._settings.rasa_port)
        return proc

    async def _watch(self) -> None:
        backoff = 1.0
        while not self._stopping:
            self._proc = await self._spawn()
            code = await self._proc.wait()
            if self._stopping:
                break
            self.restarts += 1
            log.error("Rasa server exited with %s; restarting in %.0f s", code, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self._max_backoff_s)

    async def stop(self) -> None:
        """Terminate Rasa (SIGTERM, then SIGKILL after 10 s) and the watcher."""
        self._stopping = True
        proc = self._proc
        if proc and proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), timeout=10)
            except asyncio.TimeoutError:
                proc.kill()
                await proc.wait()
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
