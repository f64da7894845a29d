"""The built tutor kept on disk: read back, it answers exactly as a fresh build; any change to what it
was built from builds afresh; a damaged or unwritable cache only costs the time."""

from __future__ import annotations

import os
import pickle
import shutil

import pytest

from bot.engine import Tutor
from bot.engine import snapshot as snap
from bot.engine.loader import default_knowledge_dir
from bot.engine.semantic import Embedder, load_model

QUESTIONS = ("how many died in the famine", "who was peng dehuai", "what happened to him", "wat were backyard furnaces")


@pytest.fixture
def kb_dir(tmp_path):
    target = tmp_path / "knowledge"
    shutil.copytree(default_knowledge_dir(), target)
    return target


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


def save(tutor: Tutor, kb_dir, cache) -> None:
    snap.save_snapshot(tutor, snap.snapshot_path(kb_dir, cache, tutor.retriever.embedder))


def load(kb_dir, cache, model) -> Tutor | None:
    return snap.load_snapshot(snap.snapshot_path(kb_dir, cache, model), model)


def answers(tutor: Tutor) -> list[str]:
    return [tutor.ask(q, conversation="c").text for q in QUESTIONS]


def test_a_snapshot_answers_exactly_as_a_fresh_build(shipped_kb, kb_dir, cache):
    fresh = Tutor(shipped_kb)
    save(fresh, kb_dir, cache)
    model = load_model()
    loaded = load(kb_dir, cache, model)
    assert loaded is not None and loaded.retriever.embedder is model
    assert len(loaded.memory) == 0  # conversations are never kept
    assert answers(loaded) == answers(Tutor(shipped_kb))


def test_the_snapshot_never_holds_conversations_or_the_model(shipped_kb, kb_dir, cache):
    tutor = Tutor(shipped_kb)
    tutor.ask("who was peng dehuai", conversation="conversation-zq8x1")
    save(tutor, kb_dir, cache)
    [path] = cache.glob("tutor-*.pickle")
    assert b"conversation-zq8x1" not in path.read_bytes()
    assert pickle.loads(path.read_bytes()).retriever.embedder is None
    assert len(tutor.memory) == 1 and tutor.retriever.embedder is not None  # the running tutor is untouched


def test_an_edited_knowledge_base_is_built_afresh(shipped_kb, kb_dir, cache):
    save(Tutor(shipped_kb), kb_dir, cache)
    glossary = kb_dir / "glossary.yaml"
    glossary.write_text(glossary.read_text(encoding="utf-8") + "\n# a comment is an edit too\n", encoding="utf-8")
    assert load(kb_dir, cache, load_model()) is None


def test_the_key_covers_the_engine_the_model_and_the_libraries(kb_dir, tmp_path, monkeypatch):
    model = load_model()
    key = snap.snapshot_key(kb_dir, model)
    assert key == snap.snapshot_key(kb_dir, model)
    assert snap.snapshot_key(kb_dir, Embedder(model.table, model.tokenizer, "another model")) != key
    engine = tmp_path / "engine"
    shutil.copytree(snap.ENGINE, engine, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(snap, "ENGINE", engine)
    assert snap.snapshot_key(kb_dir, model) == key
    (engine / "judge.json").write_text((engine / "judge.json").read_text() + " ", encoding="utf-8")
    assert snap.snapshot_key(kb_dir, model) != key
    monkeypatch.setattr(snap, "ENGINE", snap.Path(snap.__file__).resolve().parent)
    monkeypatch.setattr(snap, "LIBRARIES", (*snap.LIBRARIES, "json"))
    assert snap.snapshot_key(kb_dir, model) != key


def test_nothing_is_cached_without_a_folder_or_for_an_unnamed_model(shipped_kb, kb_dir, cache):
    model = load_model()
    anonymous = Embedder(model.table, model.tokenizer)
    save(Tutor(shipped_kb, embedder=anonymous), kb_dir, cache)
    save(Tutor(shipped_kb), kb_dir, None)
    assert not cache.exists()
    assert load(kb_dir, None, model) is None


@pytest.mark.parametrize("damage", [b"", b"not a pickle", pickle.dumps({"not": "a tutor"})])
def test_a_damaged_snapshot_is_ignored(kb_dir, cache, damage):
    model = load_model()
    cache.mkdir()
    (cache / f"tutor-{snap.snapshot_key(kb_dir, model)}.pickle").write_bytes(damage)
    assert load(kb_dir, cache, model) is None


def test_an_unwritable_folder_only_costs_the_time(shipped_kb, kb_dir, cache, monkeypatch):
    def refuse(*_args):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(os, "replace", refuse)
    save(Tutor(shipped_kb), kb_dir, cache)
    assert list(cache.iterdir()) == []  # nor is a temporary file left behind
    blocker = cache / "file"
    blocker.write_text("a file where the folder should be")
    save(Tutor(shipped_kb), kb_dir, blocker)


def test_files_are_readable_by_a_service_user_and_old_ones_pruned(shipped_kb, tmp_path, cache):
    tutor = Tutor(shipped_kb)
    for i in range(snap.KEEP + 2):
        copy = tmp_path / f"kb{i}"
        shutil.copytree(default_knowledge_dir(), copy)
        (copy / "glossary.yaml").write_text((copy / "glossary.yaml").read_text() + f"\n# copy {i}\n")
        save(tutor, copy, cache)
        os.utime(next(p for p in cache.glob("tutor-*.pickle") if snap.snapshot_key(copy, tutor.retriever.embedder) in p.name),
                 (i, i))
    files = list(cache.glob("tutor-*.pickle"))
    assert len(files) == snap.KEEP and not list(cache.glob("*.tmp"))
    assert all(f.stat().st_mode & 0o044 == 0o044 for f in files)
