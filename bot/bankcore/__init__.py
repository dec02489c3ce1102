"""The bank core: the ``BankCore`` port, its SQL ledger adapter and demo-bank seeding."""
from bot.bankcore.port import BankCore, BankError
from bot.bankcore.seed import seed_demo_bank
from bot.bankcore.sql_bankcore import SqlBankCore

__all__ = ["BankCore", "BankError", "SqlBankCore", "seed_demo_bank"]
