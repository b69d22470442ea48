import pytest

from r1ci.tasks import get_task

TASK = get_task("symbench/letter_logic_diagram")

PUZZLE = """a,b,,,,f,
b,,,,f,g,
c,,,,,,b
,,f,,,,c
e,,,,,c,d
,g,,b,,d,
,a,,,,e,f"""
CYCLIC = """a,b,c,d,e,f,g
b,c,d,e,f,g,a
c,d,e,f,g,a,b
d,e,f,g,a,b,c
e,f,g,a,b,c,d
f,g,a,b,c,d,e
g,a,b,c,d,e,f"""
OTHER = """a,b,d,e,c,f,g
b,c,a,d,f,g,e
c,d,e,f,g,a,b
d,e,f,g,a,b,c
e,f,g,a,b,c,d
f,g,c,b,e,d,a
g,a,b,c,d,e,f"""
EMPTY = "\n".join([",,,,,,"] * 7)


def item_with(puzzle=PUZZLE):
    grid = [row.split(",") for row in puzzle.splitlines()]
    return {"id": "x", "task": TASK.id, "question": "", "answer": "", "metadata": {"grid": grid}}


def nested(text):
    return str([row.split(",") for row in text.splitlines()])


@pytest.mark.parametrize("answer", [CYCLIC, OTHER, nested(OTHER), CYCLIC.upper(), CYCLIC.replace(",", ", ")])
def test_accepts_any_valid_completion(answer, grader):
    assert grader.grade(TASK, answer, item_with()).correct


def swap_rows(text, i, j):
    rows = text.splitlines()
    rows[i], rows[j] = rows[j], rows[i]
    return "\n".join(rows)


@pytest.mark.parametrize(
    "answer, puzzle, reason",
    [
        (CYCLIC.replace("a,b,c,d,e,f,g", "a,b,c,d,e,g,f", 1), PUZZLE, "changes the given 'f' at row 1, column 6"),
        (CYCLIC.replace("b,c,d,e,f,g,a", "b,c,d,e,f,g,b", 1), EMPTY, "row 2 repeats 'b'"),
        (swap_rows(CYCLIC, 0, 1).replace("b,c", "a,c", 1), EMPTY, "row 1 repeats 'a'"),
        ("\n".join(["a,b,c,d,e,f,g"] * 7), EMPTY, "column 1 repeats 'a'"),
        (swap_rows(CYCLIC, 0, 1), EMPTY, "minor diagonal"),
        (CYCLIC.replace("a,b,c,d,e,f,g", "a,b,c,d,e,f,h", 1), PUZZLE, "not a letter a-g"),
        (CYCLIC.replace("a,b,c,d,e,f,g", "a,b,c,d,e,fg", 1), PUZZLE, "row 1 has 6 entries"),
        ("\n".join(CYCLIC.splitlines()[:6]), PUZZLE, "expected 7 rows, got 6"),
        (nested(CYCLIC)[:-1], PUZZLE, "unbalanced brackets"),
    ],
)
def test_rejects_invalid_grids_with_the_reason(answer, puzzle, reason, grader):
    grade = grader.grade(TASK, answer, item_with(puzzle))
    assert grade.score == 0.0 and reason in grade.reason


@pytest.mark.parametrize("answer", ["", "   ", "[[", "a," * 8000, None, 7, "ａ,ｂ", "row1\nrow2\n... (7 rows total)"])
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, item_with()).score == 0.0


def test_generator_blanks_15_to_30_cells():
    for index in range(30):
        item = TASK.item(index)
        blanks = sum(cell == "" for row in item["metadata"]["grid"] for cell in row)
        assert blanks in (15, 20, 25, 30)


def test_codesteer_instances_load_and_references_pass(symbench_dir):
    from r1ci.tasks.symbench.letter_logic_diagram import render

    originals = TASK.load_originals(symbench_dir)
    assert len(originals) >= 51
    for item in originals:
        assert render(item["metadata"]["grid"]) == item["question"], item["id"]
