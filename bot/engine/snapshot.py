"""The built tutor, kept on disk between starts.

Reading and validating the knowledge base, indexing it and embedding every unit is most of a cold
start (about 0.7 s of 1.2), and all of it depends only on files: the knowledge base, the engine's own
code and data, the model and the libraries. A snapshot is named by a hash of all of them, so an edited
knowledge base, a code change or an upgrade builds afresh (validating the knowledge again, and
stopping on a broken one); a snapshot is only ever written of a tutor built from a knowledge base that
validated. It never holds conversations or the model, which a new process loads itself.

The cache only saves time: a missing, damaged or unwritable one is ignored. It is a pickle, so the
folder must be the user's own (as Python's __pycache__ is): the default is the user's cache folder.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

from bot.engine.loader import knowledge_files
from bot.engine.semantic import Embedder
from bot.engine.tutor import Tutor

FORMAT = 1
KEEP = 4  # snapshots kept in a folder (several checkouts or knowledge bases may share one)
ENGINE = Path(__file__).resolve().parent
ENGINE_FILES = (".py", ".json", ".npz")  # the engine's code and the judge's data
# The libraries whose objects a tutor holds, or whose behaviour its build depends on (by their files:
# reading installed packages' metadata would cost a tenth of a second).
LIBRARIES = ("numpy", "rank_bm25", "symspellpy", "Stemmer", "yaml", "tokenizers", "safetensors", "msgpack")


def _library(name: str) -> str:
    module = sys.modules.get(name) or __import__(name)
    path = getattr(module, "__file__", None)
    stat = os.stat(path) if path else None
    return f"{name} {getattr(module, '__version__', '')} {stat.st_size if stat else ''} {stat.st_mtime_ns if stat else ''}"


def snapshot_key(knowledge_dir: Path, embedder: Embedder) -> str | None:
    """None when the model cannot say which it is (a test's table built in memory), or the knowledge
    directory cannot be read (the loader will say why)."""
    if embedder.fingerprint is None:
        return None
    try:
        knowledge = knowledge_files(knowledge_dir)
    except OSError:
        return None
    digest = hashlib.blake2b(digest_size=16)
    header = [str(FORMAT), sys.version, embedder.fingerprint, *map(_library, LIBRARIES)]
    digest.update("\0".join(header).encode())
    for path in sorted(ENGINE.iterdir()):
        if path.suffix in ENGINE_FILES:
            digest.update(f"\0engine/{path.name}\0".encode())
            digest.update(path.read_bytes())
    for rel, data in knowledge.items():
        digest.update(f"\0knowledge/{rel}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def snapshot_path(knowledge_dir: Path, directory: Path | None, embedder: Embedder) -> Path | None:
    """Where the snapshot of a tutor built from these files with this model lives (None: not kept).
    Computed once per start, before the build: the snapshot is stored under the files as they were read."""
    key = snapshot_key(knowledge_dir, embedder) if directory is not None else None
    return None if key is None else directory / f"tutor-{key}.pickle"


def load_snapshot(path: Path | None, embedder: Embedder) -> Tutor | None:
    """The tutor an earlier start stored at `path`, with `embedder` attached; else None."""
    if path is None:
        return None
    try:
        with open(path, "rb") as f:
            tutor = pickle.load(f)
    except Exception:  # none yet, or a damaged pickle (which can raise almost anything): the tutor is then built
        return None
    if not isinstance(tutor, Tutor):
        return None
    tutor.retriever.embedder = embedder
    return tutor


def save_snapshot(tutor: Tutor, path: Path | None) -> None:
    """Atomically (another process may be starting from the same folder); silently not at all if it cannot."""
    if path is None:
        return
    directory = path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=path.stem, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(tutor, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.chmod(tmp, 0o644)  # mkstemp makes it private; a service user may read one built with the image
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        older = sorted(directory.glob("tutor-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)[KEEP:]
        for stale in older:
            stale.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):  # unwritable, or something unpicklable
        pass
