"""Account limits ("what's my limit?"): each account's daily transfer limit and what is left of it
today, and the credit card's limit and what is still available on it."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.choosing import describe_account, find_account, sent_today
from bot.actions.common import call, first_value, format_money
from bot.actions.gate import AccountAction
from bot.bankcore.port import Account


class ActionCheckLimits(AccountAction):
    def name(self) -> str:
        return "action_check_limits"

    async def _line(self, customer_id: int, account: Account) -> str:
        money = lambda value: format_money(value, account.currency)  # noqa: E731
        if account.kind == "credit_card":
            return (f"{describe_account(account)}: credit limit {money(account.overdraft_limit)}, "
                    f"{money(account.available_balance)} available")
        used = await call(sent_today, self._context.bank, customer_id, account.id)
        left = max(account.daily_transfer_limit - used, 0)
        return (f"{describe_account(account)}: daily transfer limit {money(account.daily_transfer_limit)}, "
                f"{money(left)} left today")

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     customer_id: int) -> list[EventType]:
        accounts = await call(self._context.bank.list_accounts, customer_id)
        chosen = find_account(accounts, first_value(tracker, "account"))
        lines = [await self._line(customer_id, a) for a in ([chosen] if chosen else accounts)]
        dispatcher.utter_message(text="Your limits:\n" + "\n".join(lines))
        return []
