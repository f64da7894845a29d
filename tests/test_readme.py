"""The README stays true: its test command is what CI runs, and its sample answer is real."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    command = next(line.strip() for line in README.splitlines() if "pytest" in line and "pip install" in line)
    assert command in ci


def test_readme_sample_answer_is_what_the_tutor_says():
    question = re.search(r'\$ glf-tutor ask "([^"]+)"', README).group(1)
    sample = re.search(r"```\n(.*?)\n```", README, re.S).group(1)
    proc = subprocess.run([sys.executable, "-m", "bot", "ask", question], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.stdout.strip() == sample.strip()


def test_readme_commands_table_lists_every_command(shipped_tutor_factory):
    """The Discord guide names every slash command (subcommands too) and the context menu."""
    import asyncio

    from bot.discord.bot import command_tree
    from tests.helpers import settings

    tree = asyncio.run(command_tree(settings(), shipped_tutor_factory()))
    guide = README.split("## The Discord bot", 1)[1].split("### 1.", 1)[0]
    for command in tree:
        if command.get("type", 1) != 1:
            assert f"**{command['name']}**" in guide, command["name"]
            continue
        subcommands = [o["name"] for o in command.get("options", []) if o["type"] == 1]
        for name in [f"{command['name']} {sub}" for sub in subcommands] or [command["name"]]:
            assert re.search(rf"`/{re.escape(name)}[ `]", guide), f"/{name} is missing from the README's table"


def test_readme_install_and_the_image_share_the_constraints():
    """One set of pinned versions: the README's install commands and the Dockerfile use constraints.txt,
    which pins every runtime dependency to a version its specifier in pyproject.toml allows."""
    import tomllib

    from packaging.requirements import Requirement

    installs = [line for line in README.splitlines() if "pip install" in line and ".venv/bin/pip" in line]
    assert installs and all("-c constraints.txt" in line for line in installs)
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY pyproject.toml constraints.txt" in dockerfile and dockerfile.count("-c constraints.txt") >= 1
    assert "'-c', 'constraints.txt'" in dockerfile
    pins = {}
    for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for dep in project["dependencies"] + project["optional-dependencies"]["test"]:
        req = Requirement(dep)
        name = req.name.lower().replace("_", "-")
        assert name in pins, f"{req.name} is not pinned in constraints.txt"
        assert req.specifier.contains(pins[name]), f"{req.name}=={pins[name]} does not satisfy {req.specifier}"


def test_dockerfile_has_an_init_and_a_healthcheck():
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert "apt-get install -y --no-install-recommends tini" in dockerfile
    assert 'ENTRYPOINT ["/usr/bin/tini", "--"]' in dockerfile
    healthcheck = next(line for line in dockerfile.splitlines() if line.startswith("HEALTHCHECK"))
    assert 'CMD ["glf-tutor", "health"]' in healthcheck
    assert "GLF_HEARTBEAT_FILE=" in dockerfile
