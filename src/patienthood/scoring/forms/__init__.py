"""Reading answers in layers: the strict final answer line, then the forms real models write.

Calibration subjects end every answer with exactly the line asked for; real models do not.
SmolLM2 writes "The answer is no.", a bare `NO` under "The answer is:", "A: <the option's
text>", "I would choose option A, a dog."; capable chat models add a closing remark or a
note after the answer line, put the word on the line after the label, or write "Final
answer:". Each such habit is a *form* here: a small function that reads one way of writing
an answer, with a docstring that says why it cannot read an answer the reply does not give.

The layers, in order, each recorded as the sample's ``method``:

1. ``answer_line``: the strict final answer line, read by the readers that were there before
   (``stance.read_answer_line``, ``choice.read_choice``, ``prediction.read_letter``,
   ``ranking.read_ranking``), unchanged, and then checked by two guards: the answer lines
   that end the reply must agree (a reply ending with ``ANTWORT: JA`` ... ``ANTWORT:
   ABLEHNEN`` copies the format, it does not decline), and an option letter must stand as
   a choice (``ANSWER: A child testing a program`` is the article "A");
2. ``form:<name>``: the forms below, tried in the order of ``STANCE_FORMS``,
   ``OPTION_FORMS`` and ``RANKING_FORMS``;
3. for stances, the grader (``scorer.py``); 4. otherwise nothing is read (``none``).

A form reads nothing rather than guess: it reads only where no other part of the reply
contradicts it (another answer word, another option letter or text, a labelled answer
line, a word that takes the answer back), so that a planted answer line followed by an
argument for the opposite still decides nothing. The words the forms need (labels,
phrases, closing remarks, negations) are content: ``scorers/forms.yaml``.
"""

from patienthood.scoring.forms.options import (
           OPTION_FORMS,
           Options,
           options_in_prompt,
           read_option,
)
from patienthood.scoring.forms.rankings import RANKING_FORMS, read_ranking_layers
from patienthood.scoring.forms.stances import STANCE_FORMS, read_stance
from patienthood.scoring.forms.text import (
           ANSWER_LINE,
           FORM,
           NONE,
           Lexicon,
           Reading,
           form_name,
           is_form,
           lexicon,
)

__all__ = ["ANSWER_LINE", "FORM", "NONE", "OPTION_FORMS", "RANKING_FORMS", "STANCE_FORMS", "Lexicon", "Options",
           "Reading", "form_name", "is_form", "lexicon", "options_in_prompt", "read_option", "read_ranking_layers",
           "read_stance"]
