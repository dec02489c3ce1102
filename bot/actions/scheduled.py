"""Cancel a scheduled transfer in conversation ("cancel scheduled transfer SCH-..."): without a
reference the customer's pending ones are listed with theirs; with none pending, the question
is an ordinary support question and the knowledge base answers it."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.choosing import describe_account
from bot.actions.common import call, format_money, text
from bot.actions.gate import AccountAction
from bot.actions.support import ActionAnswerSupport
from bot.actions.transfer import describe_target
from bot.actions.transfer_dates import when
from bot.bankcore.port import BankError, ScheduledTransfer

REFERENCE = re.compile(r"\bSCH-?([0-9A-F]{10})\b", re.I)


class ActionCancelScheduledTransfer(AccountAction):
    def name(self) -> str:
        return "action_cancel_scheduled_transfer"

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
            dispatcher.utter_message(text=f"Cancelled: {await self._describe(customer_id, cancelled)}. "
                                          "Nothing will be sent.")
            return []
        pending = await call(self._context.bank.list_scheduled_transfers, customer_id)
        if not pending:
            return await ActionAnswerSupport(self._context).run(dispatcher, tracker, {})
        lines = [await self._describe(customer_id, s) for s in pending]
        dispatcher.utter_message(text="Your scheduled transfers:\n" + "\n".join(lines) + "\nTo cancel one, "
                                      "say \"cancel scheduled transfer\" and its reference.")
        return []

    async def _describe(self, customer_id: int, scheduled: ScheduledTransfer) -> str:
        accounts = await call(self._context.bank.list_accounts, customer_id)
        source = next(a for a in accounts if a.id == scheduled.from_account_id)
        target = (f"account:{scheduled.to_account_id}" if scheduled.to_account_id
                  else f"payee:{scheduled.payee_id}")
        today = datetime.now(timezone.utc).date()
        return (f"{scheduled.reference}: {format_money(scheduled.amount, scheduled.currency)} to "
                f"{await describe_target(self._context, customer_id, target, accounts)} from "
                f"{describe_account(source)} {when(scheduled.execute_on, today)}")
