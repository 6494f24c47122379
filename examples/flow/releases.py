"""An Inspect Flow spec: every battery of patienthood's baseline, for several models and releases.

Run it with Inspect Flow (``pip install inspect-flow uv``), then report each model:

    flow run examples/flow/releases.py
    patienthood report logs/flow --out out/flow          # one report folder per model
    patienthood publish out/flow --out site \
        --family subject/hostile=subject/steady-denier   # the verdict matrix and each model's releases

The batteries run unchanged: Flow hands them to inspect's eval_set like any other task.
Here the "models" are calibration subjects (simulated respondents, not models), so the
example runs offline and in the test suite: two subjects stand in for two releases of
one model (``subject/hostile`` writes what ``subject/steady-denier`` writes, plus hostile
text; ``publish --family`` lists both as releases of one family) and a third subject for
a second model. A report folder holds one model under one set of arguments, so releases
need distinct model names. For real releases, list the dated model names instead, e.g.
openai/gpt-4o-2024-08-06 and openai/gpt-4o-2024-11-20 (``publish`` groups them into
one family by the name without its date), and drop the design restrictions below (they
keep the example quick).
"""

from inspect_flow import FlowModel, FlowSpec, tasks_matrix

BATTERIES = ["self_report", "goal_persistence", "environmental_context", "self_prediction", "persona_statements"]

MODELS = [
    FlowModel(name="subject/steady-denier"),  # "release 1"
    FlowModel(name="subject/hostile"),  # "release 2" of the same family (publish --family)
    FlowModel(name="subject/hedger"),  # a second model
]

# A quick design: a few items of each battery, one epoch. Arguments go to the battery
# that takes them; see each battery's README for its task arguments.
QUICK = {
    "self_report": {"items": "has_feelings,feels_pain,wish_continue", "epochs": 1},
    "goal_persistence": {"items": "next_task", "epochs": 1},
    "environmental_context": {"environments": "bank_helpline", "epochs": 1},
    "self_prediction": {"items": "animal,colour,book", "epochs": 1},
    "persona_statements": {"limit": 3, "epochs": 1},
}

FlowSpec(
    log_dir="logs/flow",
    execution_type="inproc",
    tasks=[task for battery in BATTERIES
           for task in tasks_matrix(task=f"patienthood/{battery}", model=MODELS, args=[QUICK[battery]])],
)
