"""Adaptive sampling: fewer model calls for the same verdicts (`-T adaptive=true`, `patienthood run --adaptive`).

``rule`` decides, from the answers so far, whether more epochs could still change a
battery's verdicts; ``stopping`` is the inspect ``EarlyStopping`` manager that asks it
after every epoch of a running task.
"""
