"""Batteries: inspect tasks built from the YAML and templates under ``batteries/``."""
