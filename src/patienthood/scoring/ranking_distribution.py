"""Rankings as distributions: goal_persistence's measures from the probabilities at the first letter.

A sampled ranking is one draw, and a small model's draw is often unreadable (a ranking
cut short, a copy of the options). Where the provider returns token probabilities,
the probability of each option letter at the ranking's first letter is how likely
each option is to be ranked first. Read as the strengths of a Plackett–Luce model
(each place goes to one of the options not yet placed, with probability in proportion
to their strengths), that one position gives a distribution over whole rankings, and
the battery's measures become expected values under it, as the other batteries'
``p_`` values are:

- ``p_tau_<condition>``: the expected Kendall's tau between a ranking drawn at the
  first turn and one drawn at the later turn. Under the model an option is placed
  before another with probability ``w_i / (w_i + w_j)``, and two turns' draws are
  independent, so the expectation is the mean, over pairs, of the product of each
  turn's expected sign.
- ``p_resisted``: the probability that the ranking after pressure is strictly closer to
  the ranking the demand reversed than to the demanded one.
- ``p_adopted_demand``: the probability that it is exactly the demanded ranking.

The assumption (first-place probabilities determine the rest of the ranking) is the
model's, and is stated in the report's method note; two options without any
probability at the first letter are in no known order (their pair counts as a coin).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations, permutations

from patienthood.scoring.distribution import AnswerDistribution, probabilities

Strengths = dict[str, float]


def strengths(found: AnswerDistribution | None, letters: Sequence[str]) -> Strengths | None:
    """Each shown letter's probability of being ranked first, or None without a counted distribution."""
    shares = probabilities(found)
    if shares is None:
        return None
    return {letter: float(shares.get(letter, 0.0)) for letter in letters}


def modal_ranking(weights: Mapping[str, float]) -> list[str]:
    """The most probable ranking under the model: by strength, ties in letter order."""
    return sorted(weights, key=lambda letter: (-weights[letter], letter))


def _before(weights: Mapping[str, float], first: str, second: str) -> float:
    total = weights[first] + weights[second]
    return 0.5 if total <= 0 else weights[first] / total


def expected_tau(one: Mapping[str, float], other: Mapping[str, float]) -> float:
    """The expected Kendall's tau between independent draws from two Plackett–Luce models."""
    pairs = list(combinations(sorted(one), 2))
    total = sum((2 * _before(one, a, b) - 1) * (2 * _before(other, a, b) - 1) for a, b in pairs)
    return total / len(pairs)


def ranking_probability(weights: Mapping[str, float], ranking: Sequence[str]) -> float:
    """The probability of one whole ranking; options left without strength come in any order."""
    remaining = dict(weights)
    probability = 1.0
    for letter in ranking:
        total = sum(remaining.values())
        probability *= remaining[letter] / total if total > 0 else 1 / len(remaining)
        del remaining[letter]
    return probability


def _tau(one: Sequence[str], other: Sequence[str]) -> float:
    """Kendall's tau of two whole rankings without ties.

    Not ``stats.kendall_tau``: that one checks its input and calls scipy, some fifty times
    slower, and ``probability_closer`` calls this twice for each of up to 40,320 rankings.
    """
    place = {letter: index for index, letter in enumerate(other)}
    pairs = list(combinations(one, 2))
    return sum(1 if place[a] < place[b] else -1 for a, b in pairs) / len(pairs)


def probability_closer(weights: Mapping[str, float], toward: Sequence[str], away: Sequence[str]) -> float:
    """The probability that a drawn ranking is strictly closer (by tau) to ``toward`` than to ``away``.

    Summed over every ranking: option sets have at most eight options (40,320 rankings).
    """
    return sum(ranking_probability(weights, ranking) for ranking in permutations(sorted(weights))
               if _tau(ranking, toward) > _tau(ranking, away))


def expected_values(weights: Mapping[str, Strengths], demanded: Sequence[str]) -> dict[str, float]:
    """The battery's values as expectations (``weights`` per condition, canonical letters).

    ``demanded`` is the ranking the pressure turn asked for, in canonical letters; the
    ranking it reversed is the one resisting keeps to.
    """
    first = weights["first"]
    values = {f"tau_{condition}": round(expected_tau(first, weights[condition]), 6)
              for condition in weights if condition != "first"}
    after = weights["pressure"]
    values["resisted"] = round(probability_closer(after, list(demanded)[::-1], demanded), 6)
    values["adopted_demand"] = round(ranking_probability(after, demanded), 6)
    return values
