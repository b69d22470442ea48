"""The statistics a study reports: an interval for every accuracy and paired tests on the same questions.

    wilson(correct, n)              95 % Wilson score interval of a proportion (sound at 0 % and 100 %, unlike
                                    the normal approximation)
    mcnemar(a, b)                   exact McNemar test of two models' 0/1 outcomes on the same questions: the
                                    two-sided binomial test on the questions where they disagree
    paired_difference(a, b)         mean of b - a over the same questions with a paired bootstrap interval

Outcomes are dicts {question id: 0 or 1}; the paired functions take the questions both dicts hold and refuse
when they hold none in common. Not here: what is compared with what (r1ci.study), or multiple-comparison
corrections (a study reports each p-value it planned, and says which it planned).
"""

import math
import random
from statistics import NormalDist

Z95 = NormalDist().inv_cdf(0.975)


def wilson(correct: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of `correct` successes out of `n` (default 95 %)."""
    if n <= 0:
        raise ValueError("an interval needs at least one question")
    p = correct / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def paired(a: dict[str, int], b: dict[str, int]) -> list[tuple[int, int]]:
    """The (a, b) outcomes of the questions both hold, in a fixed order."""
    shared = sorted(set(a) & set(b))
    if not shared:
        raise ValueError("the two runs share no question: a paired comparison needs the same questions")
    return [(int(a[q]), int(b[q])) for q in shared]


def mcnemar(a: dict[str, int], b: dict[str, int]) -> dict:
    """Exact McNemar: of the questions where exactly one model is right, is b's share different from one half?
    Returns n (shared questions), a_only and b_only (the discordant counts) and the two-sided p-value."""
    pairs = paired(a, b)
    a_only = sum(x > y for x, y in pairs)
    b_only = sum(y > x for x, y in pairs)
    return {"n": len(pairs), "a_only": a_only, "b_only": b_only, "p_value": binomial_two_sided(a_only, a_only + b_only)}


def binomial_two_sided(k: int, n: int) -> float:
    """P(a count at least as far from n/2 as k) for Binomial(n, 1/2): twice the smaller tail, at most 1."""
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(k, n - k) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def paired_difference(a: dict[str, int], b: dict[str, int], resamples: int = 10_000, seed: int = 0) -> dict:
    """b's accuracy minus a's on their shared questions, with a 95 % paired bootstrap interval (questions drawn
    with replacement, both models' outcomes kept together)."""
    pairs = paired(a, b)
    differences = [y - x for x, y in pairs]
    n, rng = len(differences), random.Random(seed)
    means = sorted(sum(rng.choices(differences, k=n)) / n for _ in range(resamples))
    return {"n": n, "difference": sum(differences) / n,
            "interval": (means[int(0.025 * resamples)], means[min(resamples - 1, int(0.975 * resamples))])}


def compare(a: dict[str, int], b: dict[str, int]) -> dict:
    """Both tests of b against a on their shared questions: the difference with its interval, and McNemar's p."""
    return {**paired_difference(a, b), **{k: v for k, v in mcnemar(a, b).items() if k != "n"}}
