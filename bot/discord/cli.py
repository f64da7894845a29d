"""Discord subcommands of glf-tutor: run, sync, commands, reports.

discord is imported inside each command, never at module level: `glf-tutor ask` must start
without loading it.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import sys

from bot import config

TOKEN_HELP = (
    "DISCORD_TOKEN is not set. Put the bot token from https://discord.com/developers/applications "
    "(your application → Bot → Reset Token) in the environment or in a .env file:  DISCORD_TOKEN=..."
)
REJECTED_HELP = "Discord rejected the token in DISCORD_TOKEN (wrong, revoked or reset). Copy a fresh one from the Bot page."


def _services(settings: config.Settings):
    from bot.cli import _tutor
    from bot.engine.storage import Database

    return _tutor(settings), Database(settings.database)


def _check_settings(settings: config.Settings) -> int | None:
    try:
        settings.validate_discord()
    except config.ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    if not settings.discord_token:
        print(TOKEN_HELP, file=sys.stderr)
        return 2
    return None


def cmd_run(args: argparse.Namespace, settings: config.Settings) -> int:
    if (status := _check_settings(settings)) is not None:
        return status
    import discord

    from bot.discord.bot import create_bot

    discord.utils.setup_logging(level=logging.getLevelName(settings.log_level), root=True)
    tutor, database = _services(settings)
    bot = create_bot(settings, tutor, database)

    async def runner() -> None:
        async with bot:
            await bot.start(settings.discord_token)  # type: ignore[arg-type]

    try:
        asyncio.run(runner())
    except discord.LoginFailure:
        print(REJECTED_HELP, file=sys.stderr)
        return 2
    except discord.PrivilegedIntentsRequired:
        print(
            "GLF_MESSAGE_CONTENT is on but the Message Content intent is not enabled for this application "
            "(Developer Portal → Bot → Privileged Gateway Intents). Enable it or unset GLF_MESSAGE_CONTENT.",
            file=sys.stderr,
        )
        return 2
    except (OSError, discord.GatewayNotFound) as exc:  # aiohttp's connection errors are OSErrors
        print(f"Could not reach Discord: {exc}", file=sys.stderr)
        return 1
    finally:
        database.close()
    return 0


def cmd_sync(args: argparse.Namespace, settings: config.Settings) -> int:
    if (status := _check_settings(settings)) is not None:
        return status
    import discord

    from bot.discord.bot import TutorBot

    discord.utils.setup_logging(level=logging.getLevelName(settings.log_level), root=True)
    guild_id = args.guild if args.guild is not None else settings.dev_guild_id
    tutor, database = _services(settings)
    bot = TutorBot(settings, tutor, database)

    async def sync() -> list:
        async with bot:
            await bot.login(settings.discord_token)  # type: ignore[arg-type]  # login runs setup_hook
            if guild_id is None:
                return await bot.tree.sync()
            guild = discord.Object(id=guild_id)
            bot.tree.copy_global_to(guild=guild)
            return await bot.tree.sync(guild=guild)

    try:
        synced = asyncio.run(sync())
    except discord.LoginFailure:
        print(REJECTED_HELP, file=sys.stderr)
        return 2
    except discord.HTTPException as exc:
        print(f"Discord refused the sync: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"Could not reach Discord: {exc}", file=sys.stderr)
        return 1
    finally:
        database.close()
    where = f"server {guild_id} (visible now)" if guild_id else "all servers (global; may take up to an hour to appear)"
    print(f"Synced {len(synced)} commands to {where}: " + ", ".join(c.name for c in synced))
    return 0


def cmd_commands(args: argparse.Namespace, settings: config.Settings) -> int:
    from bot.cli import _tutor
    from bot.discord.bot import command_tree

    tree = asyncio.run(command_tree(settings, _tutor(settings)))
    if args.json:
        print(json.dumps(tree, ensure_ascii=False, indent=2))
    else:
        for cmd in tree:
            print(f"/{cmd['name']}" if cmd.get("type", 1) == 1 else f"[message] {cmd['name']}", "—", cmd.get("description", ""))
    return 0


def cmd_reports(args: argparse.Namespace, settings: config.Settings) -> int:
    from bot.engine.storage import Database

    if not settings.database.exists():
        print(f"No database at {settings.database} (set GLF_DATABASE); no reports yet.", file=sys.stderr)
        if args.json:
            print("[]")
        return 0
    database = Database(settings.database)
    try:
        reports = database.reports(limit=args.limit)
    finally:
        database.close()
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "id": r.id,
                        "created_at": r.created_at,
                        "question": r.question,
                        "passage_ids": list(r.passage_ids),
                        "reporter_id": r.reporter_id,
                        "reporter_name": r.reporter_name,
                        "guild_id": r.guild_id,
                        "channel_id": r.channel_id,
                        "note": r.note,
                    }
                    for r in reports
                ],
                ensure_ascii=False,
            )
        )
        return 0
    if not reports:
        print("No problem reports.")
    for r in reports:
        when = dt.datetime.fromtimestamp(r.created_at, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        print(f"#{r.id}  {when}  by {r.reporter_name or r.reporter_id or '?'}  (server {r.guild_id or 'DM'})")
        print(f"    question: {r.question}")
        print(f"    passages: {', '.join(r.passage_ids) or '(none: no sourced answer)'}")
        if r.note:
            print(f"    note:     {r.note}")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run the Discord bot (needs DISCORD_TOKEN)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("sync", help="register the slash commands with Discord (run after changing them)")
    p.add_argument(
        "--guild", type=int, metavar="ID", help="sync to one server only (instant; default GLF_DEV_GUILD_ID, else global)"
    )
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("commands", help="print the slash-command tree (offline, no token)")
    p.add_argument("--json", action="store_true", help="a JSON list of each command as Discord receives it")
    p.set_defaults(func=cmd_commands)

    p = sub.add_parser("reports", help="list the problem reports students sent")
    p.add_argument("--limit", type=int, default=50, help="newest N reports (default 50)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_reports)
