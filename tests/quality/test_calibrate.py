"""`glf-tutor calibrate` reproduces the shipped judge from the tune set and the generated negatives."""

import json

import pytest

from bot.engine.judge import MODEL_FILE, Judge
from bot.engine.tutor import Tutor
from bot.quality.calibrate import MAX_FALSE_ABSTENTION, TRAINING_FILES, calibrate


def test_shipped_judge_is_what_calibrate_trains(shipped_kb):
    cal = calibrate(Tutor(shipped_kb, judge=Judge.permissive()), list(TRAINING_FILES))
    shipped = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert cal.model["features"] == shipped["features"]
    for key in ("mean", "scale", "coef"):
        assert cal.model[key] == pytest.approx(shipped[key], abs=1e-3), f"{key}: run glf-tutor calibrate"
    assert cal.model["threshold"] == pytest.approx(shipped["threshold"], abs=1e-3)
    assert cal.model["precedents"] == shipped["precedents"] == len(cal.precedents.vectors)
    assert cal.false_abstention <= MAX_FALSE_ABSTENTION
    assert cal.refused > 0.8  # out of fold, the operating point still refuses most training negatives
