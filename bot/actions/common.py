"""Small helpers every account action shares: reading the parse, formatting money, threads."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, TypeVar

from rasa_sdk import Tracker
from starlette.concurrency import run_in_threadpool

T = TypeVar("T")
MAX_AMOUNT = Decimal("1000000")


def intent(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""


def yes_or_no(tracker: Tracker) -> bool | None:
    """The latest message as the answer to a yes/no question: the NLU's reading of the words
    ("Yes, report it lost", "wait, never mind, don't"), else its affirm/deny intent."""
    answer = (tracker.latest_message or {}).get("answer")
    if answer is not None:
        return answer == "yes"
    return {"affirm": True, "deny": False, "cancel": False}.get(intent(tracker))


def text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


def entities(tracker: Tracker, name: str, role: str | None = None) -> list[dict[str, Any]]:
    """Entities of one type in the latest message (optionally only one role), in text order."""
    found = [e for e in (tracker.latest_message or {}).get("entities") or [] if e.get("entity") == name]
    if role is not None:
        found = [e for e in found if e.get("role") == role]
    return found


def first_value(tracker: Tracker, name: str, role: str | None = None) -> str | None:
    found = entities(tracker, name, role)
    return str(found[0]["value"]) if found else None


def format_money(amount: Decimal, currency: str) -> str:
    symbol = {"USD": "$", "GBP": "£", "EUR": "€"}.get(currency)
    sign = "-" if amount < 0 else ""
    value = f"{abs(amount):,.2f}"
    return f"{sign}{symbol}{value}" if symbol else f"{sign}{value} {currency}"


async def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking port call off the event loop."""
    return await run_in_threadpool(fn, *args, **kwargs)


def amount_problem(value: str | None) -> str | None:
    """Why an amount cannot be sent (None when it is fine): zero, negative, absurd, sub-cent."""
    try:
        amount = Decimal(str(value))
    except Exception:  # noqa: BLE001 - anything unparsable is simply "not an amount"
        return "I didn't catch an amount (for example \"50\" or \"$120.50\")."
    if not amount.is_finite() or amount <= 0:
        return "The amount has to be more than zero."
    if amount > MAX_AMOUNT:
        return "That amount is far above what I can handle in chat."
    if amount != amount.quantize(Decimal("0.01")):
        return "Amounts can have at most two decimal places."
    return None


NOT_AN_ANSWER = {"check_balance", "human_agent", "greet", "goodbye", "thanks", "bot_challenge",
                 "affirm", "deny", "cancel", "out_of_scope"}


def short_answer(tracker: Tracker) -> str | None:
    """The message itself when it reads like a short answer to a question ("Jane", "savings"),
    so free answers fill a requested slot while real questions still interrupt the form."""
    message = text(tracker).strip().rstrip(".!")
    if not message or "?" in message or len(message.split()) > 4 or intent(tracker) in NOT_AN_ANSWER:
        return None
    return message
