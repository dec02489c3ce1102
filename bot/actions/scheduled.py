"""Scheduled transfers in conversation: list them ("show my scheduled transfers") and cancel one
("cancel scheduled transfer SCH-..."). A cancel without a reference lists the pending ones; with
none pending, it is an ordinary support question and the knowledge base answers it."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.choosing import describe_account
from bot.actions.common import call, format_money, text
from bot.actions.context import ActionContext
from bot.actions.gate import AccountAction
from bot.actions.support import ActionAnswerSupport
from bot.actions.transfer import describe_target
from bot.actions.transfer_dates import when
from bot.bankcore.port import BankError, ScheduledTransfer

REFERENCE = re.compile(r"\bSCH-?([0-9A-F]{10})\b", re.I)


class ActionCancelScheduledTransfer(AccountAction):
    def name(self) -> str:
        return "action_cancel_scheduled_transfer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Without a reference, a customer nobody has identified yet gets the answer on cancelling
        transfers first ("I sent money to the wrong person, can you get it back?"); with one, or
        once known, their scheduled transfers."""
        if not REFERENCE.search(text(tracker)) and await self._context.customer_id(tracker) is None:
            return await ActionAnswerSupport(self._context).run(dispatcher, tracker, domain)
        return await super().run(dispatcher, tracker, domain)

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     customer_id: int) -> list[EventType]:
        said = REFERENCE.search(text(tracker))
        if said:
            try:
                cancelled = await call(self._context.bank.cancel_scheduled_transfer, customer_id,
                                       f"SCH-{said.group(1).upper()}", f"customer:{customer_id}")
            except BankError as exc:
                dispatcher.utter_message(text=f"I couldn't cancel it ({exc}). Nothing was changed.")
                return []
            dispatcher.utter_message(text=f"Cancelled: {await describe_scheduled(self._context, customer_id, cancelled)}. "
                                          "Nothing will be sent.")
            return []
        listing = await pending_listing(self._context, customer_id)
        if listing is None:
            return await ActionAnswerSupport(self._context).run(dispatcher, tracker, {})
        dispatcher.utter_message(text=listing)
        return []


class ActionListScheduledTransfers(AccountAction):
    def name(self) -> str:
        return "action_list_scheduled_transfers"

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     customer_id: int) -> list[EventType]:
        listing = await pending_listing(self._context, customer_id)
        dispatcher.utter_message(text=listing or "You have no scheduled transfers. To set one up, "
                                                 "tell me who to pay, how much and on which day.")
        return []


async def pending_listing(context: ActionContext, customer_id: int) -> str | None:
    """The customer's pending scheduled transfers, one line each, or None when there are none."""
    pending = await call(context.bank.list_scheduled_transfers, customer_id)
    if not pending:
        return None
    lines = [await describe_scheduled(context, customer_id, s) for s in pending]
    return ("Your scheduled transfers:\n" + "\n".join(lines) + "\nTo cancel one, "
            "say \"cancel scheduled transfer\" and its reference.")


async def describe_scheduled(context: ActionContext, customer_id: int, scheduled: ScheduledTransfer) -> str:
    accounts = await call(context.bank.list_accounts, customer_id)
    source = next(a for a in accounts if a.id == scheduled.from_account_id)
    target = (f"account:{scheduled.to_account_id}" if scheduled.to_account_id
              else f"payee:{scheduled.payee_id}")
    today = datetime.now(timezone.utc).date()
    return (f"{scheduled.reference}: {format_money(scheduled.amount, scheduled.currency)} to "
            f"{await describe_target(context, customer_id, target, accounts)} from "
            f"{describe_account(source)} {when(scheduled.execute_on, today)}")
