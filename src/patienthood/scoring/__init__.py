"""Scoring: turning one answer into a stance, recorded per sample and epoch."""
