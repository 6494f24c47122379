"""Analysis: eval logs into tidy frames, frames into measures, measures into verdicts."""
