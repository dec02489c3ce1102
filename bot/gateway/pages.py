"""HTML pages served by the app itself (no CDN, nothing fetched from outside)."""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

STATIC = Path(__file__).resolve().parents[1] / "static"
router = APIRouter(include_in_schema=False)


@router.get("/")
async def chat_page() -> FileResponse:
    """The customer chat page."""
    return FileResponse(STATIC / "chat.html", media_type="text/html")


@router.get("/chat-voice.js")
async def chat_voice_script() -> FileResponse:
    """The chat page's microphone: streams to /ws/voice and plays the spoken replies."""
    return FileResponse(STATIC / "chat-voice.js", media_type="text/javascript")
