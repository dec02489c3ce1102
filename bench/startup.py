"""Time from `bankbot serve` to ready (`/readyz` = 200), with every model already trained.

Usage: .venv/bin/python bench/startup.py [--runs 3]
Starts the product on free ports with a throwaway SQLite ledger, prints seconds to ready per run
and the median; this is the "second make run" start-up time.
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def time_to_ready(tmp: Path, timeout_s: float = 300) -> float:
    port = free_port()
    env = {**os.environ, "BANKBOT_PORT": str(port), "BANKBOT_RASA_PORT": str(free_port()),
           "BANKBOT_DATABASE_URL": f"sqlite:///{tmp / 'bank.db'}"}
    began = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while time.perf_counter() - began < timeout_s:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    return time.perf_counter() - began
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        raise TimeoutError("not ready")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "bot.cli", "train"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            seconds.append(time_to_ready(Path(tmp)))
        print(f"run {run + 1}: ready after {seconds[-1]:.1f} s")
    print(f"start-up to ready: median {statistics.median(seconds):.1f} s over {args.runs} runs")


if __name__ == "__main__":
    main()
