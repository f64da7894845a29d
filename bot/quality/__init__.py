"""Measurement: evaluation on question files, the answerability judge's calibration, benchmarks."""
