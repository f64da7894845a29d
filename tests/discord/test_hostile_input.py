"""Hostile and odd questions, property-based, through the whole question path.

What holds, whatever a student types (any Unicode up to 10,000 characters, invisible and RTL
characters, markdown, mentions, URLs, Chinese, mixed with real questions):

- `Tutor.ask` returns a valid Answer and never raises: text 1-2000 characters, abstained exactly
  when no passage is quoted, the Answer serialises to JSON.
- The answer text is written only from the knowledge base, so it never carries mention syntax;
  the question is echoed only as the embed title, and Discord never notifies anyone from an embed.
- Every message the bot sends (slash-command callbacks and follow-ups, replies to mentions, the
  plain-text answer where embeds are not allowed) stays within Discord's limits, carries
  allowed_mentions that parse nothing and list nobody (replied_user false), and has no
  "@everyone"/"@here" or <@…>/<#…> in its content. So even a mention that did reach content would
  be inert; none does.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
from discord.webhook.async_ import async_context
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.discord.bot import TutorBot, UserCooldown, intents, unload_all
from bot.discord.render import BUTTON_LABEL, CONTENT, answer_embeds, answer_plain, embed_within_limits
from bot.engine import Answer
from bot.engine.answer import MAX_TEXT
from bot.engine.tutor import MAX_QUESTION_CHARS
from bot.quality.load import FakeDiscord, slash_payload
from bot.storage import Database
from tests.helpers import close_bot, make_bot, record_sent_messages, snowflake
from tests.helpers import settings as bot_settings

# ----- hostile text --------------------------------------------------------------------------

MENTIONS = [
    "@everyone", "@here", "<@123>", "<@!123>", "<@&456>", "<#789>", "@everyone@here", "＠everyone",
    "@\u200beveryone", "</ask:123>", "<:glf:123>", "<t:0:R>", "@" * 50,
]  # fmt: skip
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u034f"]
RTL = ["\u202e", "\u202b", "\u200f", "\u2067", "\u061c", "ما عدد الضحايا؟", "מה קרה בשנת 1958?"]
MARKDOWN = [
    "**", "__", "~~", "||spoiler||", "`", "```", "```py\nprint('x')\n```", "> quoted", ">>> block",
    "# heading", "-# small", "[link](https://evil.example)", "\\", "*", "_", "---",
]  # fmt: skip
URLS = ["https://example.com/a?b=1&c=2#d", "<https://discord.gg/abc>", "http://[::1]:80/", "discord.gg/invite", "www.example.org"]
CHINESE = ["大跃进", "饿死了多少人？", "人民公社是什么", "彭德怀", "大炼钢铁", "毛泽东", "三年困难时期", "庐山会议"]
ODD = [
    " ", "\t", "\n", "\r\n", "\u3000", "\xa0", "\u2028", "\x85", "\x00", "\x1b[31m", "\x07",
    "👨‍👩‍👧", "🇨🇳", "e\u0301", "Z̸̢͉a̷l̴g̷o̶",
]  # fmt: skip
QUESTIONS = [
    "How many people died in the famine?",
    "What were the people's communes?",
    "Who was Peng Dehuai?",
    "What was the steel target for 1958?",
    "why did the backyard furnaces fail",
    "what happened to him afterwards?",
    "who made the highest estimate?",
]
FRAGMENTS = MENTIONS + INVISIBLE + RTL + MARKDOWN + URLS + CHINESE + ODD + QUESTIONS

fragment = st.sampled_from(FRAGMENTS)
mixture = st.lists(fragment | st.text(max_size=12), max_size=40).map(lambda parts: " ".join(parts))
glued = st.lists(fragment, max_size=60).map("".join)
around_question = st.builds(lambda a, q, b: f"{a} {q} {b}", mixture, st.sampled_from(QUESTIONS), mixture)
repeated = st.builds(lambda f, n: (f * n)[:10_000], fragment, st.integers(1, 3_000))


def hostile(max_size: int = 10_000) -> st.SearchStrategy[str]:
    """Any text up to `max_size` characters, biased towards the cases that break bots."""
    return st.one_of(
        st.text(max_size=max_size),
        st.text(alphabet=st.characters(codec="utf-8"), min_size=max_size // 2, max_size=max_size),
        mixture, glued, around_question, repeated,
    ).map(lambda s: s[:max_size])  # fmt: skip


MENTION_SYNTAX = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>")
EDGE_CASES = ["", " \t\n", "\u200b" * 20, "\u202e@everyone", "@everyone @here <@123> <@!123> <@&456> <#789>", "x" * 10_000]


def edge_cases(test):
    """Always try these, whatever hypothesis generates."""
    for case in EDGE_CASES:
        test = example(question=case)(test)
    return test


# ----- what a valid answer and a valid message are ------------------------------------------


def check_answer(answer: Answer, question: str) -> None:
    assert isinstance(answer, Answer)
    assert answer.question == question.strip()[:MAX_QUESTION_CHARS]
    assert answer.text.strip() and len(answer.text) <= MAX_TEXT
    assert answer.abstained == (not answer.passages)
    assert all(isinstance(f, str) and f.strip() for f in answer.followups)
    assert not MENTION_SYNTAX.search(answer.text), "the answer text must come from the knowledge base only"
    json.dumps(answer.to_dict())  # the --json / --jsonl front ends


def component_problems(rows: list[dict[str, Any]]) -> list[str]:
    problems = [] if len(rows) <= 5 else ["more than 5 component rows"]
    for row in rows:
        buttons = row.get("components", [])
        if row.get("type") != 1 or not 1 <= len(buttons) <= 5:
            problems.append("a row must hold 1-5 components")
        for b in buttons:
            if len(b.get("label") or "") > BUTTON_LABEL or len(b.get("custom_id") or "") > 100:
                problems.append("button label or custom_id too long")
    return problems


def payload_problems(payload: dict[str, Any]) -> list[str]:
    """Every Discord limit a message payload breaks, and any way it could ping someone."""
    problems = []
    content = payload.get("content") or ""
    if len(content) > CONTENT:
        problems.append("content over 2000 characters")
    if MENTION_SYNTAX.search(content):
        problems.append(f"mention syntax in content: {content[:80]!r}")
    embeds = payload.get("embeds") or []
    if len(embeds) > 10 or sum(len(discord.Embed.from_dict(e)) for e in embeds) > 6000:
        problems.append("embeds over the per-message limits")
    for e in embeds:
        problems += [f"embed {p}" for p in embed_within_limits(discord.Embed.from_dict(e))]
    if not content and not embeds:
        problems.append("an empty message")
    problems += component_problems(payload.get("components") or [])
    mentions = payload.get("allowed_mentions")
    if mentions is None or mentions.get("parse") != [] or mentions.get("users") or mentions.get("roles"):
        problems.append(f"allowed_mentions would let something ping: {mentions}")
    elif mentions.get("replied_user", False):
        problems.append("the reply pings its author")
    return problems


# ----- the engine and the renderers ---------------------------------------------------------


@pytest.fixture(scope="module")
def tutor(shipped_tutor_factory):
    return shipped_tutor_factory()


_conversations = itertools.count()


@settings(max_examples=300, deadline=None)
@given(question=hostile())
@edge_cases
def test_ask_gives_a_valid_answer_that_renders_within_discord_limits(tutor, question):
    answer = tutor.ask(question)
    check_answer(answer, question)
    pages = answer_embeds(answer)
    assert pages and all(embed_within_limits(p) == [] for p in pages)
    assert all(p.title or p.description or p.fields for p in pages)
    for page in pages:  # everything but the echoed title is our own text
        shown = [page.description or "", page.footer.text or "", *(f"{f.name} {f.value}" for f in page.fields)]
        assert not MENTION_SYNTAX.search(" ".join(shown))
    plain = answer_plain(answer)
    assert plain.strip() and len(plain) <= CONTENT and not MENTION_SYNTAX.search(plain)


@settings(max_examples=100, deadline=None)
@given(question=hostile(), before=st.sampled_from(QUESTIONS), after=st.sampled_from(QUESTIONS))
def test_hostile_turn_inside_a_conversation(tutor, question, before, after):
    """Memory carries a hostile turn without breaking the turns around it."""
    key = f"hostile-{next(_conversations)}"
    check_answer(tutor.ask(before, key), before)
    check_answer(tutor.ask(question, key), question)
    check_answer(tutor.ask(after, key), after)


def test_non_text_question_is_read_as_text(tutor):
    check_answer(tutor.ask(1958), "1958")  # type: ignore[arg-type]


# ----- /ask through the real app-command tree ------------------------------------------------

SHARED_BOT = [HealthCheck.function_scoped_fixture]  # one bot for all examples, on purpose


@pytest.fixture
async def tree_bot(shipped_tutor_factory):
    bot = await make_bot(shipped_tutor_factory())
    bot.cooldown = UserCooldown(rate=10**9)  # the budget is tested in test_cooldown_burst.py
    transport = FakeDiscord()
    token = async_context.set(transport)
    yield bot, transport
    async_context.reset(token)
    await close_bot(bot)


@settings(max_examples=150, deadline=None, suppress_health_check=SHARED_BOT)
@given(question=hostile(max_size=700), private=st.booleans())  # the option holds 500; raw requests more
@example(question="@everyone", private=False)
@example(question="", private=False)
async def test_slash_ask_never_pings_and_fits(tree_bot, question, private):
    bot, transport = tree_bot
    payload = slash_payload(
        "ask", {"question": question, "private": private}, user_id=snowflake(), channel_id=transport.channel_id
    )
    await bot.tree._call(discord.Interaction(data=payload, state=bot._connection))

    sent = transport.for_token(payload["token"])
    callback, *followups = sent
    assert callback.path.endswith("/callback")
    messages = [callback.payload["data"]] if callback.payload["type"] == 4 else [s.payload for s in followups]
    assert len(messages) == 1, "exactly one reply per question"
    assert payload_problems(messages[0]) == []
    if question.strip() and len(question.strip()) <= 500:
        assert messages[0]["embeds"], "a question in range gets an answer embed"


# ----- mentions and messages, through dpytest ------------------------------------------------


@pytest.fixture
async def chat_bot(shipped_tutor_factory, monkeypatch):
    test_intents = intents(bot_settings())
    test_intents.members = True  # dpytest keeps the bot's own member (for permissions) only with this
    bot = TutorBot(bot_settings(), shipped_tutor_factory(), Database(":memory:"), intents=test_intents)
    await bot._async_setup_hook()
    await bot.setup_hook()
    dpytest.configure(bot, members=2)
    bot.cooldown = UserCooldown(rate=10**9)
    payloads = record_sent_messages(bot, monkeypatch)
    yield bot, payloads
    await dpytest.empty_queue()
    await unload_all(bot)


@pytest.fixture
def no_embed_links(monkeypatch):
    """Channels where the bot lacks Embed Links (dpytest's member overwrites are not applied)."""
    granted = discord.Permissions(view_channel=True, send_messages=True, read_message_history=True)
    monkeypatch.setattr(discord.TextChannel, "permissions_for", lambda self, obj: granted)


async def _ask_by_mention(bot: TutorBot, payloads: list[dict[str, Any]], question: str) -> dict[str, Any]:
    payloads.clear()
    await dpytest.message(f"<@{bot.user.id}> {question}")
    await dpytest.empty_queue()
    assert len(payloads) == 1, "exactly one reply per message"
    return payloads[0]


@settings(max_examples=100, deadline=None, suppress_health_check=SHARED_BOT)
@given(question=hostile(max_size=3_900))  # a message holds 4,000 characters (with Nitro)
@example(question="@everyone @here what were the communes?")
async def test_mention_reply_never_pings_and_fits(chat_bot, question):
    bot, payloads = chat_bot
    sent = await _ask_by_mention(bot, payloads, question)
    assert payload_problems(sent) == []
    assert sent["message_reference"]  # a reply to the question…
    assert sent["allowed_mentions"]["replied_user"] is False  # …that does not ping its author
    assert sent["embeds"]


@settings(max_examples=80, deadline=None, suppress_health_check=SHARED_BOT)
@given(question=hostile(max_size=3_900))
@example(question="@everyone what were the communes?")
async def test_plain_text_answer_without_embed_permission(chat_bot, no_embed_links, question):
    """Where the bot may not embed, the answer goes out as content: the case that could ping."""
    bot, payloads = chat_bot
    sent = await _ask_by_mention(bot, payloads, question)
    assert not sent.get("embeds") and sent["content"]
    assert payload_problems(sent) == []
