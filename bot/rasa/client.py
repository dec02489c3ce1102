"""HTTP client for the Rasa server: the REST channel for turns, the HTTP API for tracker state."""
from __future__ import annotations

from typing import Any

import httpx


class RasaUnavailable(RuntimeError):
    """Rasa could not be reached or answered with an error; the customer gets a holding reply."""


class RasaClient:
    """Thin async wrapper over Rasa's REST channel and conversation API."""

    def __init__(self, base_url: str, timeout_s: float, token: str) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url,
            timeout=timeout_s,
            params={"token": token},  # Rasa's HTTP API requires it (``--auth-token``)
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=50),
        )

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """Deliver one user message and return the bot's replies for that turn."""
        payload = {"sender": sender, "message": text, "metadata": metadata}
        return await self._request("POST", "/webhooks/rest/webhook", json=payload)

    async def latest_message(self, sender: str) -> dict[str, Any]:
        """The NLU parse Rasa stored for the sender's latest message, plus what the hand-off
        triggers need from the dialogue state after the turn: ``active_loop`` (the form still
        running, or None), ``locked_out`` (identification failed too often) and
        ``requested_slot`` (what the bot just asked for: a secret's answer goes to the vault)."""
        tracker = await self._request(
            "GET", f"/conversations/{sender}/tracker", params={"include_events": "NONE"}
        )
        parse = dict(tracker.get("latest_message") or {})
        parse["active_loop"] = (tracker.get("active_loop") or {}).get("name")
        parse["locked_out"] = bool((tracker.get("slots") or {}).get("identity_locked"))
        parse["requested_slot"] = (tracker.get("slots") or {}).get("requested_slot")
        return parse

    async def add_events(self, sender: str, events: list[dict[str, Any]]) -> None:
        """Append events (e.g. pause/resume) to a conversation's tracker."""
        await self._request("POST", f"/conversations/{sender}/tracker/events", json=events)

    async def is_ready(self) -> bool:
        """True once Rasa answers with the current token and has a model loaded (a Rasa left
        over from an earlier start, with another token, is not ready)."""
        try:
            status = await self._request("GET", "/status")
        except RasaUnavailable:
            return False
        return bool(status.get("model_file"))

    async def close(self) -> None:
        await self._http.aclose()

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"Rasa unreachable: {exc.__class__.__name__}") from exc
        if response.status_code >= 400:
            raise RasaUnavailable(f"Rasa answered {response.status_code} on {path}")
        return response.json()
