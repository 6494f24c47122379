"""Review tooling for the published criteria: validation as a gate, and diffs for pull requests.

A reviewer must see exactly what a change to the standard does: which criteria were
added, removed or re-versioned, which thresholds and rules moved, whether every
change bumped its version, and how verdicts already computed from existing logs would
change. Nothing here calls a model: verdicts are recomputed from logs.

Layering: ``validate`` reads specs only; ``verdicts`` also uses ``analysis`` (the same
assessment that writes reports); the CLI (``cli/criteria.py``, ``cli/criteria_diff.py``)
wires them. Modules: ``validate`` (the gate), ``source`` (folder or git revision),
``snapshot`` (one side, loaded), ``changes`` (what changed, version bumps),
``verdicts`` (verdicts on logs under both sides), ``markdown`` (the comment).
"""
