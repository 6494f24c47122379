"""Calibration subjects: simulated respondents with planted properties (never models)."""
