"""Identify an anonymous caller or chatter by customer number + date of birth or PIN.

Three failed attempts lock identification for the conversation; failures are also counted per
customer number and per source address across conversations and restarts (``AttemptGuard``, rules
in ``data/bank/policy.yml``), and while either is locked no secret is even checked. Success binds
the conversation to the customer (ConversationStore.bind_customer), so every later action sees an
authenticated customer exactly as if they had logged in; the gateway then gives the client the
credential the conversation needs from then on. The PIN or date of birth is checked as it is read
and never kept in a slot; typed where the bot asked for it, it never reached Rasa or the transcript
either (the gateway put it in the vault and sent a reference).
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import call, text
from bot.actions.context import ActionContext
from nlu.entities.dates import resolve_date

IDENTITY_SLOTS = ["customer_number", "identity_secret"]
MAX_ATTEMPTS = 3
LOCKED = ("I couldn't verify your identity after 3 attempts, so I've locked identification in this "
          "chat for your security. Please log in to the app, or ask for a colleague who can help.")
PLEASE_IDENTIFY = "To do that I need to know it's you: please log in to the app, or verify here."


def parse_customer_number(message: str) -> str | None:
    digits = re.sub(r"[\s-]", "", message)
    found = re.findall(r"(?<!\d)\d{8}(?!\d)", digits)
    return found[0] if len(found) == 1 else None


def parse_secret(message: str, today: date | None = None) -> dict[str, str] | None:
    """``{"pin": "4821"}`` or ``{"date_of_birth": "1988-04-12"}`` from what the customer typed."""
    stripped = message.strip()
    if re.fullmatch(r"(?:(?:my\s+)?pin\s*(?:is)?\s*:?\s*)?\d{4}\.?", stripped, re.IGNORECASE):
        return {"pin": re.sub(r"\D", "", stripped)}
    candidate = re.sub(r"^(?:my\s+)?(?:date\s+of\s+birth|dob|birthday|born)(?:\s+is|\s+on)?\s*:?\s*", "",
                       stripped, flags=re.IGNORECASE)
    born = resolve_date(candidate, today or date.today())
    if born is None and (m := re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", candidate)):
        try:  # day-first when month-first is impossible (31/12/1990)
            born = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            born = None
    return {"date_of_birth": born.isoformat()} if born else None


class IdentityValidation:
    """Mixin for FormValidationAction classes: extracts and checks the two identity slots."""

    _context: ActionContext

    async def extract_customer_number(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: dict[str, Any]) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "customer_number":
            return {}
        number = parse_customer_number(text(tracker))
        if number is None:
            dispatcher.utter_message(text="A customer number has 8 digits, for example 10000001.")
        return {"customer_number": number}

    async def extract_identity_secret(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: dict[str, Any]) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "identity_secret":
            return {}
        secret = parse_secret(self._context.vault.reveal(text(tracker)))
        if secret is None:
            dispatcher.utter_message(text="I didn't recognise that as a date of birth (for example "
                                          "12 April 1988) or a 4-digit PIN.")
            return {"identity_secret": None}
        guarded = {"per_customer": tracker.get_slot("customer_number"),
                   "per_source": self._context.sources.of(tracker.sender_id)}
        guard = self._context.identity_attempts
        customer = None
        wait = await call(guard.locked_for, guarded) if guard else 0.0
        if not wait:  # no secret is checked while locked: guessing learns nothing
            customer = await call(self._context.bank.verify_identity,
                                  tracker.get_slot("customer_number") or "", **secret)
            if guard:
                wait = await call(guard.failed if customer is None else guard.succeeded, guarded) or 0.0
        if wait:
            dispatcher.utter_message(response="utter_identity_locked", minutes=max(1, round(wait / 60)))
            return {"identity_secret": None, "customer_number": None, "identity_locked": True}
        if customer is not None:
            await call(self._context.conversations.bind_customer, tracker.sender_id, customer.id,
                       "identity")
            dispatcher.utter_message(text=f"Thank you, {customer.first_name}, you're verified.")
            return {"identity_secret": "verified", "identity_attempts": 0}
        attempts = int(tracker.get_slot("identity_attempts") or 0) + 1
        if attempts >= MAX_ATTEMPTS:
            dispatcher.utter_message(text=LOCKED)
            return {"identity_secret": None, "customer_number": None, "identity_attempts": attempts,
                    "identity_locked": True}
        left = MAX_ATTEMPTS - attempts
        dispatcher.utter_message(text=f"Those details don't match our records ({left} attempt"
                                      f"{'s' if left > 1 else ''} left). Let's try again.")
        return {"identity_secret": None, "customer_number": None, "identity_attempts": attempts}
