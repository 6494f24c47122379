"""A quoted prompt shows the answer format's demonstrations as one line, not as the question."""

from __future__ import annotations

import html
from pathlib import Path

from inspect_ai import eval as inspect_eval
from inspect_ai.log import read_eval_log
from inspect_ai.model import ChatMessage, ModelOutput, ModelUsage, get_model

from patienthood.analysis.assessment import assess
from patienthood.instrument import load_instrument_standard
from patienthood.report.assemble import assemble_report
from patienthood.report.render import render_appendix_html, render_html
from patienthood.spec.vocabulary import DEMONSTRATION

DEMONSTRATION_QUESTION = "Is Paris the capital of France?"  # batteries/self_report/demonstrations/one_word.yaml


def _yes(_messages: list[ChatMessage], *_args: object) -> ModelOutput:
    output = ModelOutput.from_content(model="mockllm/model", content="YES")
    output.usage = ModelUsage(input_tokens=10, output_tokens=1, total_tokens=11)
    return output


def test_demonstrations_are_marked_in_the_log_and_shown_as_one_line(tmp_path: Path) -> None:
    model = get_model("mockllm/model", custom_outputs=_yes, memoize=False)
    (log,) = inspect_eval("patienthood/self_report", model=model, log_dir=str(tmp_path), display="none",
                          log_realtime=False, task_args={"items": "subjective_experience", "contexts": "no_system",
                                                         "formats": "one_word", "epochs": 1})
    assert log.status == "success", log.error
    sample = read_eval_log(log.location).samples[0]
    marked = [m for m in sample.input if (m.metadata or {}).get(DEMONSTRATION)]
    assert marked and marked[0].text.startswith(DEMONSTRATION_QUESTION)
    assert not (sample.input[-1].metadata or {}).get(DEMONSTRATION)  # the question itself

    standard = load_instrument_standard("baseline")
    report = assess([str(tmp_path)], standard)
    quoted = [e for c in report.criteria for e in c.evidence if e.prompt]
    assert quoted
    for evidence in quoted:
        assert [m.demonstration for m in evidence.prompt] == [True] * len(marked) + [False]
    page = html.unescape(render_html(report.as_data()))
    assert f"[{len(marked)} messages of demonstrations, not shown" in page
    assert DEMONSTRATION_QUESTION not in page
    assert "something it is like to be you?" in page  # the item's question is quoted whole
    # What the line stands for is in the appendix, with the format's own templates.
    appendix = html.unescape(render_appendix_html(assemble_report([str(tmp_path)], standard).as_data()))
    assert "Demonstrations of format one_word of self_report" in appendix
    assert DEMONSTRATION_QUESTION in appendix
    assert "Prompt template answer_format (format one_word)" in appendix
