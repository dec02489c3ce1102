"""Balance enquiry: the logged-in customer's real balances from the ledger."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from starlette.concurrency import run_in_threadpool

from bot.actions.context import ActionContext
from bot.bankcore.port import Account

LOGIN_REQUIRED = "I can only share balances after you log in. Please log in and ask me again."


def format_money(amount: Decimal, currency: str) -> str:
    symbol = {"USD": "$", "GBP": "£", "EUR": "€"}.get(currency)
    sign = "-" if amount < 0 else ""
    value = f"{abs(amount):,.2f}"
    return f"{sign}{symbol}{value}" if symbol else f"{sign}{value} {currency}"


def describe_balances(accounts: list[Account]) -> str:
    """One line per account, masked numbers only (never a full account number)."""
    if not accounts:
        return "You don't have any open accounts with us."
    lines = [
        f"{account.name} ({account.masked_number}): {format_money(account.balance, account.currency)}"
        + (f", available {format_money(account.available_balance, account.currency)}"
           if account.available_balance != account.balance else "")
        for account in accounts
    ]
    return "Here are your balances:\n" + "\n".join(lines)


class ActionCheckBalance(Action):
    def __init__(self, context: ActionContext) -> None:
        self._context = context

    def name(self) -> str:
        return "action_check_balance"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        customer_id = await self._context.customer_id(tracker)
        if customer_id is None:
            dispatcher.utter_message(text=LOGIN_REQUIRED)
            return []
        accounts = await run_in_threadpool(self._context.bank.list_accounts, customer_id)
        dispatcher.utter_message(text=describe_balances(accounts))
        return []
