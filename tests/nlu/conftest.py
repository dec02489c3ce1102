"""One trained NLU model per test session: the project's own if it is current, else a fresh one."""
from __future__ import annotations

import pytest

from bot.settings import Settings
from nlu.service import NluService
from nlu.training import is_current, train_nlu


@pytest.fixture(scope="session")
def nlu_settings(tmp_path_factory) -> Settings:
    settings = Settings()
    if is_current(settings):
        return settings
    settings = Settings(var_dir=tmp_path_factory.mktemp("var"))
    train_nlu(settings)
    return settings


@pytest.fixture(scope="session")
def nlu_service(nlu_settings) -> NluService:
    return NluService.load(nlu_settings)
