"""The report: renders what analysis produced; never runs a battery."""
