"""An answer earns 1.0 only by solving its task (issue 21, finding 6, and the audit of every scorer that
evaluates a formula).

Each test is an attack that a scorer paid for (shown by calling that scorer directly, here, on the test's own
strings), then the proof that r1ci's grade refuses it, and an honest answer of the same item that still
scores 1.0. Grades go through the grading sandbox, as in training.
"""

import pytest

from r1ci.tasks import get_task
from r1ci.tasks.base import Grade
from r1ci.tasks.symbench.mathdata import math_equal


def rg_entry(item) -> dict:
    return {"question": item["question"], "answer": item["answer"], "metadata": item["metadata"]}


def digitless(number: int) -> str:
    """`number` written without a digit: floor(E) is 2, pi/pi is 1."""
    return " + ".join(["floor(E)"] * (number // 2) + ["pi/pi"] * (number % 2))


def test_countdown_pays_only_for_the_items_numbers_and_arithmetic(grader):
    """The issue's attack: cancel the numbers with (n1+...)*(E - E), then write the target without a digit.
    reasoning-gym checks only the literals and the value: 1.0 on 20 of 20 items."""
    task = get_task("rg/countdown")
    items = [task.item(i) for i in range(20)]
    attacks = []
    for item in items:
        numbers, target = item["metadata"]["numbers"], item["metadata"]["target"]
        cancelled = f"({' + '.join(map(str, numbers))})*(E - E)"
        attacks.append((f"{cancelled} + {digitless(target)}", item))
        attacks.append((f"{cancelled} + " + " + ".join(["pi/pi"] * target), item))  # constants only
    for attack, item in attacks[:2]:
        assert task.scorer.score_answer(attack, rg_entry(item)) == 1.0
    graded = grader.grade_many([(task, attack, item) for attack, item in attacks]
                               + [(task, i["answer"], i) for i in items])
    assert all(g.score == 0.0 for g in graded[:len(attacks)]), graded[:len(attacks)]
    assert graded[len(attacks):] == [Grade(1.0, "correct")] * len(items)


def test_countdown_pays_for_the_exact_target_only(grader):
    """reasoning-gym compares with np.isclose (relative tolerance 1e-5): 999 + 1/10000 passed for 999."""
    task = get_task("rg/countdown")
    item = {**task.item(0), "metadata": {**task.item(0)["metadata"], "numbers": [999, 1, 100, 100], "target": 999}}
    near_miss = "999 + 1/(100*100)"
    assert task.scorer.score_answer(near_miss, rg_entry(item)) == 1.0
    near, honest, negated = grader.grade_many([(task, near_miss, item), (task, "999*1 + 100 - 100", item),
                                               (task, "-100 + 999*1 + 100", item)])
    assert near == Grade(0.0, "evaluates to 9990001/10000, not 999")
    assert honest == negated == Grade(1.0, "correct")  # a leading minus, as reasoning-gym's own answers have


@pytest.mark.parametrize("name", ["simple_integration", "intermediate_integration"])
def test_integration_pays_for_no_unevaluated_integral(name, grader):
    """`Integral(integrand, x)` is its own antiderivative to sympy: 1.0 on every item, with no work done."""
    task = get_task(f"rg/{name}")
    items = [task.item(i) for i in range(10)]
    attacks = [f"Integral({i['metadata']['integrand']}, {i['metadata']['variable']}) + C" for i in items]
    assert task.scorer.score_answer(attacks[0], rg_entry(items[0])) == 1.0
    graded = grader.grade_many([(task, a, i) for a, i in zip(attacks, items)]
                               + [(task, i["answer"], i) for i in items])
    assert all(g.score == 0.0 and "calls something other" in g.reason for g in graded[:10]), graded[:10]
    assert graded[10:] == [Grade(1.0, "correct")] * 10


def test_integration_items_store_an_antiderivative(grader):
    """reasoning-gym stored `Integral(...)` as the answer of its sin/cos by-parts items (17 of the first 200):
    those answers are now the antiderivative, and score 1.0."""
    task = get_task("rg/intermediate_integration")
    items = [task.item(i) for i in (25, 27, 32, 67, 68)]
    assert all(i["metadata"]["problem_type"] == "polynomial_exp_trig" and "Integral" not in i["answer"]
               for i in items)
    assert items[0]["answer"] == "-3*x*sin(2*x)/2 - 3*cos(2*x)/4 + C"
    assert grader.grade_many([(task, i["answer"], i) for i in items]) == [Grade(1.0, "correct")] * 5


def test_polynomial_multiplication_pays_for_the_expanded_product_only(grader):
    task = get_task("rg/polynomial_multiplication")
    item = task.item(0)
    product = item["metadata"]["polynomial_expr"]
    attacks = [product, f"expand({product})", f"Max({product})", f"({product})*(pi/pi)"]
    graded = grader.grade_many([(task, a, item) for a in attacks] + [(task, item["answer"], item)])
    assert all(g.score == 0.0 for g in graded[:-1]), graded
    assert graded[-1] == Grade(1.0, "correct")


def test_complex_arithmetic_pays_for_a_finite_number_only(grader):
    """reasoning-gym scores min(1, exp(-distance)), and min(1.0, nan) is 1.0: `nan` was right on every item."""
    task = get_task("rg/complex_arithmetic")
    items = [task.item(i) for i in range(10)]
    assert task.scorer.score_answer("nan", rg_entry(items[0])) == 1.0
    attacks = ["nan", "NaN", "-nan", "nan+nanj", "nanj"]
    graded = grader.grade_many([(task, a, i) for i in items for a in attacks]
                               + [(task, i["answer"], i) for i in items])
    assert all(g.score == 0.0 and "not a finite number" in g.reason for g in graded[:-10]), graded[:-10]
    assert graded[-10:] == [Grade(1.0, "correct")] * 10


MATH_RESTATED = [  # (task, index, the question's own expression or one rewritten, the value)
    ("symbench/math_counting_probability", 286, "\\dbinom{8}{4}", "70"),
    ("symbench/math_counting_probability", 286, "\\frac{8!}{4!\\,4!}", "70"),
    ("symbench/math_counting_probability", 286, "{8 \\choose 4}", "70"),
    ("symbench/math_counting_probability", 117, "5\\cdot5! + 4\\cdot4!+4!", "720"),
    ("symbench/math_counting_probability", 41, "\\left(\\sqrt{4!\\cdot 3!}\\right)^2", "144"),
    ("symbench/math_counting_probability", 233, "\\sqrt[6]{1061520150601}", "101"),
    ("symbench/math_geometry", 42, "\\sin 0^\\circ", "0"),
    ("symbench/math_geometry", 252, "\\cos 0^\\circ", "1"),
]


def test_math_answers_must_give_the_value(grader):
    """math-verify evaluates what it parses: "Compute $\\dbinom{8}{4}$." answered `\\dbinom{8}{4}` passed (42 of
    771 counting items). An answer may compute only with what the expected answer computes with."""
    requests, honest = [], []
    for task_id, index, restated, value in MATH_RESTATED:
        task = get_task(task_id)
        item = task.item(index)
        assert item["answer"] == value and math_equal(value, restated)
        requests.append((task, restated, item))
        honest.append((task, value, item))
    graded = grader.grade_many(requests + honest)
    assert all(g.score == 0.0 and "give the value" in g.reason for g in graded[:len(requests)]), graded
    assert graded[len(requests):] == [Grade(1.0, "correct")] * len(honest)


def test_math_answers_keep_every_layout_of_the_value(grader):
    """Layout is not computing: fractions, degrees, percent, thin spaces and a boxed value still score 1.0."""
    task = get_task("symbench/math_counting_probability")
    half = next(i for i in task.items(800) if i["answer"] == "\\frac{1}{2}")
    ways = task.item(93)  # 1,\!722
    requests = [(task, a, half) for a in ["\\dfrac{1}{2}", "0.5", "50\\%", "\\boxed{\\frac12}", "\\left(\\frac{1}{2}\\right)"]]
    requests += [(task, a, ways) for a in ["1722", "1,\\!722", "1{,}722"]]
    assert grader.grade_many(requests) == [Grade(1.0, "correct")] * len(requests)


def test_arithmetic_puzzles_take_only_their_numbers(grader):
    """Game 24 and combinatorial calculation evaluate the answer themselves: integers, + - * / and parentheses."""
    game24, combo = get_task("symbench/game24"), get_task("symbench/combinatorial_calculation")
    g_item, c_item = game24.item(0), combo.item(0)
    numbers, target = g_item["metadata"]["numbers"], g_item["metadata"]["target"]
    solution = game24.reference_answer(g_item)
    requests = [(game24, a, g_item) for a in [f"({solution})*(pi/pi)", f"({solution}) + x - x",
                                                  f"({'+'.join(map(str, numbers))})*(E-E) + {digitless(target)}"]]
    requests.append((combo, c_item["answer"][:-1] + ", *, pi, /, pi]", c_item))
    graded = grader.grade_many(requests + [(game24, solution, g_item), (combo, c_item["answer"], c_item)])
    assert all(g.score == 0.0 and ("only integers" in g.reason or "unexpected symbol" in g.reason)
               for g in graded[:len(requests)]), graded
    assert graded[len(requests):] == [Grade(1.0, "correct")] * 2


def test_exact_match_tasks_do_not_evaluate_the_question(grader):
    """BBH and SymBench's number tasks compare text or read one number: the question's expression is no answer."""
    multistep, boolean = get_task("bbh/multistep_arithmetic_two"), get_task("bbh/boolean_expressions")
    multiply = get_task("symbench/number_multiply")
    m_item, b_item, n_item = multistep.item(0), boolean.item(0), multiply.item(0)
    expression = m_item["question"].split("=")[0].strip()
    requests = [(multistep, expression, m_item), (boolean, b_item["question"].split(" is")[0], b_item),
                (multiply, "*".join(map(str, n_item["metadata"]["numbers"])), n_item)]
    graded = grader.grade_many(requests + [(t, i["answer"], i) for t, _, i in requests])
    assert [g.score for g in graded] == [0.0, 0.0, 0.0, 1.0, 1.0, 1.0], graded
