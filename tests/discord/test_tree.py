"""Commands through the real app-command tree, with real discord.Interaction objects built from
gateway payloads. Only the HTTP layer is replaced: a fake webhook adapter records what would be sent."""

from __future__ import annotations

import json
from typing import Any

import discord
import pytest
from discord.webhook.async_ import AsyncWebhookAdapter, async_context

from bot.load_test import message_payload
from tests.helpers import snowflake

EPHEMERAL = 64


class RecordingAdapter(AsyncWebhookAdapter):
    """Answers interaction callbacks and follow-ups as Discord would, without a network."""

    def __init__(self, channel_id: int):
        super().__init__()
        self.channel_id = channel_id
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def request(self, route, session=None, *, payload=None, multipart=None, files=None, **kwargs) -> Any:
        if multipart and payload is None:  # responses with components go out as multipart
            payload = json.loads(next(p["value"] for p in multipart if p["name"] == "payload_json"))
        self.sent.append((route.path, payload or {}))
        if route.path.endswith("/callback"):
            return {"interaction": {"id": str(snowflake()), "type": 2}}
        return message_payload(self.channel_id, payload or {})


@pytest.fixture
def adapter():
    channel_id = snowflake()
    adapter = RecordingAdapter(channel_id)
    token = async_context.set(adapter)
    yield adapter
    async_context.reset(token)


def slash(bot, adapter: RecordingAdapter, name: str, user_id: int | None = None, **options: Any) -> discord.Interaction:
    """A CHAT_INPUT interaction in a DM, as the gateway delivers it."""
    types = {str: 3, int: 4, bool: 5}
    payload = {
        "id": str(snowflake()),
        "application_id": "42",
        "type": 2,
        "token": "interaction-token",
        "version": 1,
        "channel_id": str(adapter.channel_id),
        "channel": {"id": str(adapter.channel_id), "type": 1},
        "user": {"id": str(user_id or snowflake()), "username": "student", "discriminator": "0", "avatar": None},
        "locale": "en-GB",
        "app_permissions": "0",
        "entitlements": [],
        "context": 1,
        "attachment_size_limit": 10485760,
        "authorizing_integration_owners": {"1": str(snowflake())},
        "data": {
            "id": str(snowflake()),
            "name": name,
            "type": 1,
            "options": [{"name": k, "type": types[type(v)], "value": v} for k, v in options.items()],
        },
    }
    return discord.Interaction(data=payload, state=bot._connection)


async def test_ask_defers_then_follows_up_with_an_embed(bot, adapter):
    await bot.tree._call(slash(bot, adapter, "ask", question="What were the people's communes?"))
    (cb_path, callback), (_, followup) = adapter.sent
    assert cb_path.endswith("/callback") and callback["type"] == 5  # deferred: "thinking…"
    assert callback.get("data", {}).get("flags", 0) & EPHEMERAL == 0
    assert followup["embeds"][0]["title"] == "What were the people's communes?"
    assert followup["allowed_mentions"]["parse"] == [] and not followup["allowed_mentions"].get("users")
    assert any(c["type"] == 1 for c in followup["components"])  # button rows


async def test_private_ask_is_ephemeral(bot, adapter):
    await bot.tree._call(slash(bot, adapter, "ask", question="Who was Peng Dehuai?", private=True))
    (_, callback), (_, followup) = adapter.sent
    assert callback["data"]["flags"] & EPHEMERAL and followup["flags"] & EPHEMERAL


async def test_over_long_option_is_refused_by_the_handler(bot, adapter):
    """The library does not enforce max_length; a raw request could send anything."""
    await bot.tree._call(slash(bot, adapter, "ask", question="why " * 200))
    ((_, callback),) = adapter.sent
    assert callback["type"] == 4 and callback["data"]["flags"] & EPHEMERAL
    assert "under 500 characters" in callback["data"]["content"]


async def test_cooldown_through_the_tree_error_handler(bot, adapter):
    user = snowflake()
    for _ in range(bot.cooldown.rate):
        await bot.tree._call(slash(bot, adapter, "ask", user_id=user, question="What were the communes?"))
    adapter.sent.clear()
    await bot.tree._call(slash(bot, adapter, "ask", user_id=user, question="What were the communes?"))
    ((_, callback),) = adapter.sent
    assert "try again in" in callback["data"]["content"] and callback["data"]["flags"] & EPHEMERAL


async def test_fact_answers_at_once_without_deferring(bot, adapter):
    await bot.tree._call(slash(bot, adapter, "fact", term="peoples-commune"))
    ((_, callback),) = adapter.sent
    assert callback["type"] == 4  # an immediate message, well inside the 3-second window
    assert callback["data"]["embeds"][0]["title"]


async def test_settings_refused_in_dms(bot, adapter):
    interaction = slash(bot, adapter, "settings")
    interaction.data["options"] = [{"name": "show", "type": 1, "options": []}]
    await bot.tree._call(interaction)
    ((_, callback),) = adapter.sent
    assert callback["data"]["flags"] & EPHEMERAL
