"""Validation shared by every channel that accepts customer text."""
from __future__ import annotations


class MessageRejected(ValueError):
    """The text cannot be processed; ``status`` is the HTTP status a REST caller gets."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def clean_message(text: str, max_chars: int) -> str:
    """Strip the text and refuse empty or oversized messages before anything is stored."""
    cleaned = text.replace("\x00", "").strip()
    try:
        cleaned.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate ("\ud800" in JSON) cannot be stored or shown
        raise MessageRejected(422, "message is not valid Unicode text") from None
    if not cleaned:
        raise MessageRejected(422, "message is empty")
    if len(cleaned) > max_chars:
        raise MessageRejected(413, f"message longer than {max_chars} characters")
    return cleaned
