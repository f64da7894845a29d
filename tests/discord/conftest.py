"""Fixtures of the Discord tests."""

from __future__ import annotations

import pytest
from discord.webhook.async_ import async_context

from bot.quality.load import FakeDiscord


@pytest.fixture
def transport():
    """A fake Discord that keeps every message as users see it, serving this test's webhooks."""
    transport = FakeDiscord()
    token = async_context.set(transport)
    yield transport
    async_context.reset(token)
