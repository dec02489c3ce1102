"""JSON log lines carry the conversation id and never the customer's secrets."""
from __future__ import annotations

import json
import logging

from bot.observability.logs import JsonFormatter, conversation_context


def render(message: str, *args: object, exc: bool = False) -> dict:
    record = logging.LogRecord("bot.test", logging.WARNING, __file__, 1, message, args, None)
    if exc:
        try:
            raise ValueError("card 4111111111111111 rejected")
        except ValueError:
            import sys
            record.exc_info = sys.exc_info()
    return json.loads(JsonFormatter().format(record))


def test_every_line_has_the_conversation_id_inside_a_turn() -> None:
    assert render("outside")["conversation_id"] is None
    with conversation_context("abc123"):
        line = render("inside %s", "a turn")
    assert line["conversation_id"] == "abc123" and line["message"] == "inside a turn"
    assert line["level"] == "warning" and line["logger"] == "bot.test" and line["ts"].endswith("+00:00")


def test_messages_and_tracebacks_are_masked() -> None:
    line = render("customer said %r", "my pin is 4821 and card 4111 1111 1111 1111", exc=True)
    assert "4821" not in line["message"] and "4111 1111 1111 1111" not in line["message"]
    assert "[pin]" in line["message"] and "[card ****1111]" in line["message"]
    assert "4111111111111111" not in line["exception"]


def test_credentials_in_urls_are_removed() -> None:
    line = render('127.0.0.1:4830 - "POST /actions/webhook?token=j4mXPcpQdTImxTeS8Iu2b HTTP/1.1" 200')
    assert "j4mXPcpQ" not in line["message"] and "token=[redacted]" in line["message"]
