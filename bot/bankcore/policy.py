"""The bank's numbers the assistant and the ledger enforce, each defined once in
``data/bank/policy.yml`` (``bank:``): how far ahead a transfer may be scheduled, what makes a
payment unusual enough to need a one-time code, the card minimum payment and delivery time."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from bot.settings import PROJECT_ROOT

DEFAULT_POLICY = PROJECT_ROOT / "data" / "bank" / "policy.yml"


@dataclass(frozen=True)
class BankPolicy:
    schedule_days_ahead: int
    unusual_factor: Decimal  # a payment over factor × the biggest of the lookback period ...
    unusual_floor: Decimal  # ... and over this floor needs a one-time code
    unusual_lookback_days: int
    card_minimum_floor: Decimal  # minimum card payment: the larger of the floor and the share
    card_minimum_share: Decimal  # of the statement balance (never more than the balance)
    card_delivery_business_days: int

    @classmethod
    def load(cls, path: Path = DEFAULT_POLICY) -> BankPolicy:
        return cls.of(yaml.safe_load(path.read_text(encoding="utf-8")))

    @classmethod
    def of(cls, policy: dict[str, Any]) -> BankPolicy:
        """From the parsed policy file (its ``bank:`` section)."""
        doc = policy["bank"]
        transfers, cards = doc["transfers"], doc["cards"]
        unusual, minimum = transfers["unusual"], cards["minimum_payment"]
        return cls(int(transfers["schedule_days_ahead"]), Decimal(str(unusual["factor"])),
                   Decimal(str(unusual["floor"])), int(unusual["lookback_days"]),
                   Decimal(str(minimum["floor"])), Decimal(str(minimum["share"])),
                   int(cards["delivery_business_days"]))
