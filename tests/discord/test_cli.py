"""glf-tutor run / sync / commands / reports, and the settings they read. No network."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import discord
import pytest

from bot.config import Settings, parse_dotenv
from bot.discord import cli as discord_cli
from bot.storage import Database
from tests.conftest import REPO
from tests.helpers import settings

TOKEN = "MTIz.fake-token.do-not-log"


def run(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env={**base, "PYTHONPATH": str(REPO), **(env or {})},
        cwd=cwd or REPO,
        timeout=60,
    )


def test_commands_json_offline():
    proc = run("commands", "--json")
    assert proc.returncode == 0, proc.stderr
    tree = json.loads(proc.stdout)
    names = {c["name"] for c in tree}
    assert {"ask", "fact", "dispute", "timeline", "sources", "help", "settings", "Ask the tutor"} <= names
    ask = next(c for c in tree if c["name"] == "ask")
    assert ask["options"][0] == {
        "type": 3,
        "name": "question",
        "description": "Your question, in your own words",
        "required": True,
        "min_length": 1,
        "max_length": 500,
    }


def test_run_without_token_exits_2_with_a_clear_message(tmp_path):
    proc = run("run", cwd=tmp_path)  # tmp_path: no .env file
    assert proc.returncode == 2
    assert "DISCORD_TOKEN is not set" in proc.stderr and "Traceback" not in proc.stderr


def test_sync_without_token_exits_2(tmp_path):
    proc = run("sync", "--guild", "123", cwd=tmp_path)
    assert proc.returncode == 2 and "DISCORD_TOKEN" in proc.stderr


def test_rejected_token_exits_2_and_is_never_printed(tmp_path, monkeypatch, capsys, caplog):
    async def reject(self, token):
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setattr(discord.Client, "login", reject)
    s = settings(tmp_path, discord_token=TOKEN)
    assert discord_cli.cmd_run(None, s) == 2
    err = capsys.readouterr().err
    assert "rejected the token" in err
    assert TOKEN not in err and TOKEN not in caplog.text
    assert discord_cli.cmd_sync(type("A", (), {"guild": None})(), s) == 2


def test_bad_shard_settings_exit_2(tmp_path, capsys):
    s = settings(tmp_path, discord_token=TOKEN, shard_count=2, shard_ids=(5,))
    assert discord_cli.cmd_run(None, s) == 2
    assert "GLF_SHARD_IDS" in capsys.readouterr().err


def test_reports_listing(tmp_path):
    db_path = tmp_path / "reports.sqlite3"
    db = Database(db_path)
    db.add_report(
        question="How many died?",
        passage_ids=["death-toll"],
        reporter_id=7,
        reporter_name="student#1",
        guild_id=1,
        channel_id=2,
        note="figure looks off",
    )
    db.close()
    env = {"GLF_DATABASE": str(db_path)}
    proc = run("reports", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    (report,) = json.loads(proc.stdout)
    assert (
        report["question"] == "How many died?"
        and report["passage_ids"] == ["death-toll"]
        and report["note"] == "figure looks off"
    )
    text = run("reports", "--limit", "5", env=env).stdout
    assert "#1" in text and "figure looks off" in text and "death-toll" in text


def test_reports_without_a_database(tmp_path):
    proc = run("reports", "--json", env={"GLF_DATABASE": str(tmp_path / "none.sqlite3")})
    assert proc.returncode == 0 and json.loads(proc.stdout) == []
    assert not (tmp_path / "none.sqlite3").exists()


def test_terminal_tutor_does_not_load_discord():
    code = "import sys; from bot.cli import main; main(['ask', 'When did it begin?']); print('discord' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.stdout.strip().endswith("False"), proc.stderr


# ----- settings --------------------------------------------------------------------------------


def test_settings_from_env_and_dotenv(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        '# comment\nexport DISCORD_TOKEN="from-file"\nGLF_LOG_LEVEL=debug\nGLF_SHARD_COUNT=4 # four\n', encoding="utf-8"
    )
    s = Settings.from_env({"GLF_SHARD_IDS": "0, 1", "GLF_AUTO_SHARD": "yes"} | parse_dotenv(dotenv.read_text()))
    assert s.discord_token == "from-file" and s.log_level == "DEBUG"
    assert s.shard_count == 4 and s.shard_ids == (0, 1) and s.auto_shard is True
    s.validate_discord()


def test_environment_wins_over_dotenv(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("DISCORD_TOKEN=from-file\nGLF_DATABASE=/data/x.sqlite3\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_TOKEN", "from-env")
    s = Settings.from_env()
    assert s.discord_token == "from-env" and s.database == Path("/data/x.sqlite3")


def test_token_is_not_in_repr():
    s = settings(discord_token=TOKEN)
    assert TOKEN not in repr(s) and TOKEN not in str(s)


@pytest.mark.parametrize("env", [{"GLF_SHARD_COUNT": "many"}, {"GLF_SHARD_IDS": "a,b"}])
def test_bad_numbers_are_named(env):
    from bot.config import ConfigError

    s = Settings.from_env(env)  # the terminal tutor still starts...
    with pytest.raises(ConfigError, match=next(iter(env))):
        s.validate_discord()  # ...the bot refuses, naming the setting


# ----- sync: global while a development server is set, and clearing a server's copy ---------------


class FakeSync:
    """discord.py's login and tree sync, without the network: records what would be registered where."""

    def __init__(self, monkeypatch):
        self.calls: list[tuple[int | None, list[str]]] = []
        fake = self

        async def login(self, token):
            await self._async_setup_hook()
            await self.setup_hook()

        async def sync(self, *, guild=None):
            commands = [c.name for c in self.get_commands(guild=guild)]
            fake.calls.append((guild.id if guild else None, commands))
            return [type("Synced", (), {"name": n})() for n in commands]

        monkeypatch.setattr(discord.Client, "login", login)
        monkeypatch.setattr(discord.app_commands.CommandTree, "sync", sync)


def sync_args(**kw):
    return type("A", (), {"guild": None, "use_global": False, "clear": False} | kw)()


def test_sync_defaults_to_the_development_server(tmp_path, monkeypatch, capsys):
    fake = FakeSync(monkeypatch)
    s = settings(tmp_path, discord_token=TOKEN, dev_guild_id=77)
    assert discord_cli.cmd_sync(sync_args(), s) == 0
    [(guild, commands)] = fake.calls
    assert guild == 77 and "ask" in commands
    assert "--clear" in capsys.readouterr().out  # says how to avoid every command showing twice


def test_sync_global_while_a_development_server_is_set(tmp_path, monkeypatch, capsys):
    fake = FakeSync(monkeypatch)
    s = settings(tmp_path, discord_token=TOKEN, dev_guild_id=77)
    assert discord_cli.cmd_sync(sync_args(use_global=True), s) == 0
    [(guild, commands)] = fake.calls
    assert guild is None and "ask" in commands
    assert "global" in capsys.readouterr().out


def test_sync_clear_removes_a_servers_copy(tmp_path, monkeypatch, capsys):
    fake = FakeSync(monkeypatch)
    s = settings(tmp_path, discord_token=TOKEN, dev_guild_id=77)
    assert discord_cli.cmd_sync(sync_args(clear=True), s) == 0
    assert fake.calls == [(77, [])]  # an empty list for that server; the global commands stay
    assert "Cleared the commands of server 77" in capsys.readouterr().out


def test_sync_options_parse():
    from bot.cli import build_parser

    args = build_parser().parse_args(["sync", "--global"])
    assert args.use_global and not args.clear and args.guild is None
    args = build_parser().parse_args(["sync", "--guild", "5", "--clear"])
    assert args.guild == 5 and args.clear
    with pytest.raises(SystemExit):
        build_parser().parse_args(["sync", "--guild", "5", "--global"])


# ----- health: the Docker HEALTHCHECK -----------------------------------------------------------


def test_health_reads_the_heartbeat(tmp_path):
    from bot.discord.bot import write_heartbeat

    beat = tmp_path / "beat"
    env = {"GLF_HEARTBEAT_FILE": str(beat)}
    proc = run("health", env=env)
    assert proc.returncode == 1 and "no heartbeat" in proc.stderr  # never connected
    write_heartbeat(beat)
    proc = run("health", env=env)
    assert proc.returncode == 0 and "healthy" in proc.stdout
    write_heartbeat(beat, now=0)  # a bot that stopped beating long ago
    proc = run("health", env=env)
    assert proc.returncode == 1 and "unhealthy" in proc.stderr
    assert run("health").returncode == 1  # no heartbeat file configured


async def test_the_connected_bot_writes_its_heartbeat(tmp_path, shipped_tutor_factory, monkeypatch):
    from bot.discord import bot as bot_module
    from tests.helpers import close_bot, make_bot

    beat = tmp_path / "beat"
    written = asyncio.Event()
    real = bot_module.write_heartbeat

    def write(path, now=None):
        real(path, now)
        written.set()

    monkeypatch.setattr(bot_module, "write_heartbeat", write)
    bot = await make_bot(shipped_tutor_factory(), heartbeat_file=beat)
    monkeypatch.setattr(type(bot), "is_ready", lambda self: True)
    monkeypatch.setattr(type(bot), "latency", property(lambda self: 0.05))
    await asyncio.wait_for(written.wait(), 10)
    assert bot_module.heartbeat_age(beat) < 60
    await close_bot(bot)
