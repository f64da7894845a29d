"""Shared fixtures: the small fixture knowledge base, the shipped one, and tutors over them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from bot.engine import Tutor, load_knowledge
from bot.engine.loader import default_knowledge_dir
from tests.helpers import close_bot, make_bot
from tests.pgcluster import Cluster, bin_dir

FIXTURE_KB = Path(__file__).parent / "fixtures" / "kb"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _scratch_snapshot_cache(tmp_path_factory):
    """Processes the tests start keep their tutor snapshots in a scratch folder, never in the user's cache."""
    patch = pytest.MonkeyPatch()
    patch.setenv("GLF_CACHE_DIR", str(tmp_path_factory.mktemp("snapshot-cache")))
    yield
    patch.undo()


@pytest.fixture(scope="session")
def small_kb():
    return load_knowledge(FIXTURE_KB)


@pytest.fixture
def small_tutor(small_kb):
    return Tutor(small_kb)


@pytest.fixture(scope="session")
def shipped_kb():
    """The shipped knowledge base (GLF_KNOWLEDGE_DIR, when set, runs the suite over another copy)."""
    return load_knowledge(os.environ.get("GLF_KNOWLEDGE_DIR") or default_knowledge_dir())


@pytest.fixture(scope="session")
def shipped_tutor_factory(shipped_kb):
    """A fresh tutor (own memory) over the shipped knowledge, sharing one index build per call."""
    return lambda: Tutor(shipped_kb)


@pytest.fixture
async def bot(shipped_tutor_factory):
    """A real TutorBot over the shipped knowledge, never logged in; test files needing another set-up
    (dpytest, a logged-in user) define their own."""
    bot = await make_bot(shipped_tutor_factory())
    yield bot
    await close_bot(bot)


@pytest.fixture(scope="session")
def pg_cluster():
    """A real PostgreSQL server for the session (Debian's postgresql package; .ci/run installs it).
    Without it the PostgreSQL half of the storage tests is skipped, except in CI, where it fails."""
    bindir = bin_dir()
    if bindir is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("PostgreSQL is not installed: CI must run the storage tests against it (see .ci/run)")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql): its half of the storage tests is skipped")
    cluster = Cluster(bindir)
    yield cluster
    cluster.destroy()


@pytest.fixture
def pg_url(pg_cluster):
    """A fresh, empty database on the test server; dropped afterwards."""
    name = pg_cluster.create_database()
    yield pg_cluster.url(name)
    pg_cluster.drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_target(request, tmp_path) -> str:
    """What GLF_DATABASE would hold: a SQLite file path, or a postgresql:// URL to an empty database."""
    if request.param == "sqlite":
        return str(tmp_path / "glf.sqlite3")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def kb_copy(tmp_path) -> Path:
    """A writable copy of the fixture knowledge base, for breaking it."""
    dest = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, dest)
    return dest


# CI runs the property tests on a fixed, reproducible set of examples; locally they explore anew.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
