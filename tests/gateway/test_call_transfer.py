"""Phone hand-off: the Twilio call-update request (checked on a mock transport, never sent), and
what a caller hears when the call is moved or stays on the line with an agent at the console."""
from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from bot.db import make_engine
from bot.gateway.call_transfer import (
    StayOnLine,
    TwilioCallTransfer,
    build_call_transfer,
    dial_twiml,
)
from bot.gateway.voice_handoff import NOBODY_NOW, ON_HOLD, TRANSFERRING, VoiceHandoff
from bot.settings import PROJECT_ROOT, Settings
from handoff.events import InProcessBus
from handoff.setup import build_desk
from handoff.triggers import HandoffDecision
from speech.twilio import CallInfo

pytestmark = pytest.mark.anyio
ACCOUNT, CALL = "AC" + "a" * 32, "CA" + "0123456789abcdef" * 2
HANDOFF_REPLIES = [
    {"recipient_id": "c1", "text": "Let me find someone for you."},
    {"recipient_id": "c1", "text": "I'm connecting you to a colleague. You are number 1 in the "
     "queue; ... You can keep typing, type 'cancel' to go back to the assistant.",
     "custom": {"handoff": {"reason": "human_request", "entry_id": 1, "position": 1,
                            "estimated_wait_s": 60.0, "in_hours": True}}},
]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class FakeCallTransfer:
    """Records transfer requests; answers as configured (Twilio cannot be reached from tests)."""

    def __init__(self, succeeds: bool) -> None:
        self.succeeds = succeeds
        self.calls: list[str] = []

    async def transfer(self, call_sid: str) -> bool:
        self.calls.append(call_sid)
        return self.succeeds


class RecordingLine:
    """The live call as the hand-off sees it: what it was told to say, and the hold state."""

    def __init__(self) -> None:
        self.heard: list[str] = []
        self.on_hold = False

    async def say(self, text: str) -> None:
        self.heard.append(text)

    def hold(self, on: bool) -> None:
        self.on_hold = on


def twilio(handler) -> TwilioCallTransfer:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return TwilioCallTransfer(ACCOUNT, "secret-token", "+15005550006", client)


async def test_transfer_posts_a_dial_to_the_call_update_api() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"sid": CALL, "status": "in-progress"})

    assert await twilio(handler).transfer(CALL) is True
    (request,) = seen
    assert request.method == "POST"
    assert str(request.url) == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Calls/{CALL}.json"
    assert request.headers["authorization"] == "Basic " + base64.b64encode(
        f"{ACCOUNT}:secret-token".encode()).decode()
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.content.decode()) == {
        "Twiml": ["<Response><Dial><Number>+15005550006</Number></Dial></Response>"]}


async def test_a_refused_or_unreachable_transfer_keeps_the_call() -> None:
    assert await twilio(lambda r: httpx.Response(404, json={"message": "not found"})).transfer(CALL) is False

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route to api.twilio.com")

    assert await twilio(down).transfer(CALL) is False


async def test_a_call_sid_that_is_not_twilios_is_never_sent() -> None:
    seen: list[httpx.Request] = []
    transfer = twilio(lambda r: seen.append(r) or httpx.Response(200))
    assert await transfer.transfer("CA1/../../Accounts") is False
    assert seen == []


def test_dial_targets_and_bad_targets() -> None:
    assert dial_twiml("sip:agents@pbx.example.com") == \
        "<Response><Dial><Sip>sip:agents@pbx.example.com</Sip></Dial></Response>"
    assert dial_twiml("client:agent&desk") == \
        "<Response><Dial><Client>agent&amp;desk</Client></Dial></Response>"
    with pytest.raises(ValueError, match="not \\+E.164"):
        dial_twiml("call the agents please")


async def test_without_credentials_calls_stay_on_the_line(tmp_path: Path) -> None:
    async with httpx.AsyncClient() as client:
        assert isinstance(build_call_transfer(Settings(var_dir=tmp_path), client), StayOnLine)
        configured = Settings(var_dir=tmp_path, twilio_account_sid=ACCOUNT,
                              twilio_auth_token="t", twilio_transfer_to="+15005550006")
        assert isinstance(build_call_transfer(configured, client), TwilioCallTransfer)


@pytest.fixture
def desk(tmp_path: Path):
    settings = Settings(var_dir=tmp_path, data_dir=PROJECT_ROOT / "data", redis_url=None)
    engine = make_engine(f"sqlite:///{tmp_path / 'handoff.db'}")
    yield build_desk(settings, engine, bus=InProcessBus())
    engine.dispose()


async def test_a_caller_is_not_promised_a_colleague_when_nobody_is_there(desk) -> None:
    closed = [{**HANDOFF_REPLIES[1], "custom": {"handoff": {
        "reason": "human_request", "entry_id": 1, "position": 1, "estimated_wait_s": None,
        "in_hours": False}}}]
    spoken = await VoiceHandoff(desk, FakeCallTransfer(succeeds=False)).spoken_replies(
        CallInfo("MZ1", CALL, line=RecordingLine()), closed)
    assert spoken == [NOBODY_NOW]


async def test_handed_off_call_is_transferred_and_told_so(desk) -> None:
    transfer = FakeCallTransfer(succeeds=True)
    spoken = await VoiceHandoff(desk, transfer).spoken_replies(CallInfo("MZ1", CALL), HANDOFF_REPLIES)
    assert transfer.calls == [CALL]
    assert spoken == ["Let me find someone for you.", TRANSFERRING]


async def test_untransferred_call_holds_and_hears_what_the_agent_types(desk) -> None:
    line = RecordingLine()
    call = CallInfo("MZ1", CALL, line=line)
    voice = VoiceHandoff(desk, FakeCallTransfer(succeeds=False))
    spoken = await voice.spoken_replies(call, HANDOFF_REPLIES)
    assert spoken[-1] == ON_HOLD and "typing" not in " ".join(spoken)
    assert line.on_hold  # no "are you still there?" while waiting for a person
    heard = line.heard

    voice.follow(call, "c1")
    for _ in range(5):  # let the follower subscribe
        await asyncio.sleep(0)
    decision = HandoffDecision("human_request", ("general", "lang:en"), 0.0, "asked for a person")
    await desk.escalate("c1", decision, channel="voice")
    await desk.tick()  # queue positions are not read out to the caller
    login = desk.agents.login("agent", "agent-demo-pass")
    assert login is not None
    agent = login[1]
    entry = await desk.claim(agent)
    assert entry is not None and entry.channel == "voice"
    await desk.agent_message(agent, entry, "Hello, this is Sam from the card team.")
    for _ in range(20):
        if len(heard) >= 2:
            break
        await asyncio.sleep(0)
    assert heard[0].startswith(agent.display_name) and "joined" in heard[0]
    assert heard[1:] == ["Hello, this is Sam from the card team."]

    await desk.hand_back(agent, entry, {})
    for _ in range(20):
        if len(heard) >= 3:
            break
        await asyncio.sleep(0)
    await voice.stop(call)
    assert "virtual assistant" in heard[2] and not line.on_hold
