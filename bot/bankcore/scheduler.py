"""The periodic task that runs due future-dated transfers inside the app.

Every app instance may run it: the bank core claims each due instruction under a row lock, so two
instances never execute the same one. ``bankbot transfers run-due`` does one pass from the command
line (cron) for deployments that turn the in-app loop off.
"""
from __future__ import annotations

import asyncio
import logging

from starlette.concurrency import run_in_threadpool

from bot.bankcore.port import BankCore, ScheduledTransfer

log = logging.getLogger(__name__)


def run_once(bank: BankCore, actor: str = "scheduler") -> list[ScheduledTransfer]:
    """One pass over everything due; logs what went out and what failed."""
    outcomes = bank.run_due_transfers(actor=actor)
    for outcome in outcomes:
        if outcome.status == "completed":
            log.info("scheduled transfer %s executed as %s", outcome.reference, outcome.transfer_reference)
        else:
            log.warning("scheduled transfer %s %s: %s", outcome.reference, outcome.status,
                        outcome.failure_reason)
    return outcomes


async def run_scheduler(bank: BankCore, interval_s: float) -> None:
    """Run due transfers every ``interval_s`` seconds until cancelled (first pass at start-up, so
    transfers that fell due while the app was down go out at once)."""
    while True:
        try:
            await run_in_threadpool(run_once, bank)
        except Exception:  # keep the loop alive across a transient database error
            log.exception("scheduled transfers run failed")
        await asyncio.sleep(interval_s)
