"""What runs due scheduled transfers: the app's periodic task and `bankbot transfers run-due`."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from bot.bankcore.scheduler import run_scheduler
from bot.bankcore.sql_bankcore import SqlBankCore
from tests.bankcore.conftest import Bank, Clock

ROOT = Path(__file__).resolve().parents[2]


def schedule_due_yesterday(bank: Bank) -> tuple[int, int]:
    """Scheduled two days ago (for yesterday), as the real clock sees it now."""
    bank.clock.now = datetime.now(UTC) - timedelta(days=2)
    alice = bank.login("alice")
    checking, savings = bank.account(alice, "checking"), bank.account(alice, "savings")
    bank.core.schedule_transfer(alice.id, checking, to_account_id=savings, amount="75.00",
                                currency="USD", execute_on=bank.clock().date() + timedelta(days=1),
                                idempotency_key="rent-top-up", actor="test")
    return alice.id, checking


def test_the_app_task_runs_a_due_transfer_once(bank: Bank) -> None:
    alice, checking = schedule_due_yesterday(bank)
    core = SqlBankCore(bank.sessions, Clock(datetime.now(UTC)))

    async def run_until_done() -> None:
        task = asyncio.create_task(run_scheduler(core, interval_s=0.05))
        while core.list_scheduled_transfers(alice):
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)  # a few more passes: nothing may run twice
        task.cancel()

    asyncio.run(asyncio.wait_for(run_until_done(), timeout=60))
    assert core.get_account(alice, checking).balance == Decimal("2375.75")
    [done] = core.list_scheduled_transfers(alice, include_finished=True)
    assert done.status == "completed"


def test_the_cli_runs_due_transfers_and_says_what_happened(bank: Bank, tmp_path: Path) -> None:
    alice, checking = schedule_due_yesterday(bank)
    url = bank.sessions.kw["bind"].url.render_as_string(hide_password=False)
    env = {**os.environ, "BANKBOT_DATABASE_URL": url, "BANKBOT_LOG_JSON": "false"}
    run = subprocess.run([sys.executable, "-m", "bot.cli", "transfers", "run-due"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "completed: TRF-" in run.stdout and "1 executed, 0 failed" in run.stdout
    again = subprocess.run([sys.executable, "-m", "bot.cli", "transfers", "run-due"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert "0 executed, 0 failed" in again.stdout
    assert bank.core.get_account(alice, checking).balance == Decimal("2375.75")
