"""`glf-tutor ask`: one answer, as text or JSON, or a JSONL batch of conversations."""

from __future__ import annotations

import argparse
import json
import sys

from bot import config
from bot.terminal.common import load_tutor, say


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="answer one question (or a JSONL batch)")
    p.add_argument("question", nargs="*", help="the question")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print the Answer as one JSON object")
    mode.add_argument("--jsonl", action="store_true", help='batch: read {"id", "turns": [...]} lines from standard input')
    p.set_defaults(func=cmd_ask)


def emit(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def cmd_ask(args: argparse.Namespace, settings: config.Settings) -> int:
    question = " ".join(args.question).strip()
    if args.jsonl == bool(question):  # a question and a batch, or neither
        print('Usage: glf-tutor ask "QUESTION" [--json]  (or --jsonl with lines on standard input, and no QUESTION)',
              file=sys.stderr)
        return 2
    tutor = load_tutor(settings)
    if args.jsonl:
        return ask_batch(tutor)
    answer = tutor.ask(question)
    if args.json:
        emit(answer.to_dict())
    else:
        say(answer.text)
    return 0


def ask_batch(tutor) -> int:
    """Each input line {"id": ..., "turns": [q1, q2, ...]}; turns of one line share memory."""
    status = 0
    for lineno, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        item, problem = batch_item(line)
        if problem:
            print(f'line {lineno}: skipped, expected {{"id": ..., "turns": ["question", ...]}}: {problem}', file=sys.stderr)
            status = 1
            continue
        turns = item["turns"]
        conversation = f"jsonl:{lineno}:{item.get('id')}"
        answers = [tutor.ask(turn, conversation=conversation).to_dict() for turn in turns]
        tutor.memory.forget(conversation)
        emit({"id": item.get("id"), "answers": answers})
        sys.stdout.flush()
    return status


def batch_item(line: str) -> tuple[dict, str | None]:
    """A batch line's object, or what is wrong with it, in words (not a Python exception's repr)."""
    try:
        item = json.loads(line)
    except ValueError:
        return {}, "this line is not JSON"
    if not isinstance(item, dict):
        return {}, "this line is not a JSON object"
    if "turns" not in item:
        return {}, 'it has no "turns"'
    turns = item["turns"]
    if not isinstance(turns, list) or not all(isinstance(t, str) for t in turns):
        return {}, '"turns" must be a list of strings'
    return item, None
