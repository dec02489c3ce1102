"""Moving a phone call to a person when the conversation is handed off.

``CallTransfer`` is the port the voice handler calls. ``TwilioCallTransfer`` is the real adapter:
Twilio's call-update API (``POST /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json`` with new
TwiML) replaces the media stream with a ``<Dial>`` to where the agents answer, so the caller leaves
the bot and rings the agents. ``StayOnLine`` is what runs without Twilio credentials: the call
stays on the stream, the conversation waits in the agent console queue and whatever the agent
types is spoken to the caller (see ``bot.gateway.voice_handoff``).
"""
from __future__ import annotations

import base64
import logging
import re
from typing import Protocol
from xml.sax.saxutils import escape

import httpx

from bot.settings import Settings

log = logging.getLogger(__name__)
_NUMBER = re.compile(r"^\+?[0-9]{3,15}$")
_CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")


class CallTransfer(Protocol):
    """Port: hand a live call to the human agents."""

    async def transfer(self, call_sid: str) -> bool:
        """True when the call is on its way to a person (the media stream will end)."""


def dial_twiml(target: str) -> str:
    """``<Response><Dial>`` to a number (+E.164), a SIP URI (``sip:``) or a Twilio Client
    (``client:name``); ValueError for anything else, so a bad setting fails at start-up."""
    if target.startswith("sip:"):
        noun = f"<Sip>{escape(target)}</Sip>"
    elif target.startswith("client:"):
        noun = f"<Client>{escape(target.removeprefix('client:'))}</Client>"
    elif _NUMBER.match(target):
        noun = f"<Number>{target}</Number>"
    else:
        raise ValueError(f"transfer target {target!r} is not +E.164, sip:URI or client:name")
    return f"<Response><Dial>{noun}</Dial></Response>"


class TwilioCallTransfer:
    """Twilio REST call update: the call leaves the stream and dials the agents."""

    def __init__(self, account_sid: str, auth_token: str, target: str, client: httpx.AsyncClient,
                 api_url: str = "https://api.twilio.com") -> None:
        self._account_sid = account_sid
        basic = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode("ascii")
        self._headers = {"Authorization": f"Basic {basic}"}
        self._twiml = dial_twiml(target)
        self._client = client
        self._api_url = api_url.rstrip("/")

    def request(self, call_sid: str) -> httpx.Request:
        """The call-update request for ``call_sid`` (form-encoded ``Twiml``, basic auth)."""
        url = f"{self._api_url}/2010-04-01/Accounts/{self._account_sid}/Calls/{call_sid}.json"
        return self._client.build_request("POST", url, data={"Twiml": self._twiml},
                                          headers=self._headers)

    async def transfer(self, call_sid: str) -> bool:
        if not _CALL_SID.match(call_sid):
            log.warning("not transferring call %r: not a Twilio call SID", call_sid)
            return False
        try:
            response = await self._client.send(self.request(call_sid))
        except httpx.HTTPError as exc:
            log.warning("call %s transfer failed: %s", call_sid, exc)
            return False
        if response.is_success:
            log.info("call %s transferred to the agents", call_sid)
            return True
        log.warning("call %s transfer refused by Twilio: %s %s", call_sid, response.status_code,
                    response.text[:200])
        return False


class StayOnLine:
    """No telephony provider configured: the caller stays with us and agents answer by console."""

    async def transfer(self, call_sid: str) -> bool:
        return False


def build_call_transfer(settings: Settings, client: httpx.AsyncClient) -> CallTransfer:
    """Twilio when account SID, auth token and target are all set, else ``StayOnLine``."""
    if settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_transfer_to:
        log.info("phone hand-offs transfer to %s through Twilio", settings.twilio_transfer_to)
        return TwilioCallTransfer(settings.twilio_account_sid, settings.twilio_auth_token,
                                  settings.twilio_transfer_to, client, settings.twilio_api_url)
    log.info("phone hand-offs stay on the line (no BANKBOT_TWILIO_* credentials); agents answer "
             "from the console")
    return StayOnLine()
