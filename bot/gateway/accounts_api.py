"""The logged-in customer's own accounts (never anyone else's)."""
from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from bot.bankcore.port import BankCore
from bot.deps import get_bankcore, require_customer
from bot.gateway.schemas import AccountOut

router = APIRouter(prefix="/api/accounts", tags=["accounts"])


@router.get("", response_model=list[AccountOut], responses={401: {"description": "not logged in"}})
async def my_accounts(
    customer_id: int = Depends(require_customer), bank: BankCore = Depends(get_bankcore)
) -> list[AccountOut]:
    """Balances of the authenticated customer's accounts, with masked numbers."""
    accounts = await run_in_threadpool(bank.list_accounts, customer_id)
    return [AccountOut(id=a.id, kind=a.kind, name=a.name, masked_number=a.masked_number,
                       currency=a.currency, balance=a.balance, available_balance=a.available_balance)
            for a in accounts]
