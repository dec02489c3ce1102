"""Secrets typed where the bot asked for them (a PIN, a date of birth, a one-time code) are held
here, in this process's memory, for the action that checks them. The gateway sends Rasa a
reference instead of the secret and keeps a placeholder in the transcript, so Rasa's tracker, the
transcript, logs, analytics and the agent console never see it; the reference expires unused.
"""
from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable

from nlu.withheld import WITHHELD


class SecretVault:
    """``hold`` a secret for a reference; ``reveal`` it from that reference, until it expires."""

    def __init__(self, held_for_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._held_for, self._clock = held_for_s, clock
        self._held: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def hold(self, secret: str) -> str:
        key = secrets.token_hex(12)
        now = self._clock()
        with self._lock:
            self._held = {k: v for k, v in self._held.items() if v[1] > now}  # forget the expired
            self._held[key] = (secret, now + self._held_for)
        return f"[[secret:{key}]]"

    def reveal(self, text: str) -> str:
        """The secret a reference stands for; other text unchanged; an expired reference reveals
        nothing (the customer is simply asked again)."""
        match = WITHHELD.fullmatch(text)
        if match is None:
            return text
        with self._lock:
            held = self._held.get(match.group(1))
        return held[0] if held and held[1] > self._clock() else ""
