"""The OOD benchmarks (AIME 2024/25, GPQA-Diamond): outside the suite's splits, loaded from their folders, graded
in the grading sandbox, selectable in `r1ci eval` in every mode.

GPQA asks that its questions never appear in plain text online, so these tests write a CSV of made-up questions
in the official columns; AIME comes from the shared reference data (../shared/data/aime).
"""

import csv
import json

import pytest
from typer.testing import CliRunner

from r1ci.cli import app
from r1ci.evaluate import EvalConfig, evaluate
from r1ci.protocol import ANSWER_INSTRUCTION
from r1ci.records import RunError
from r1ci.tasks.selection import select_items
from r1ci.tasks import OOD_TASKS, get_task, list_tasks, suite, task_split
from r1ci.tasks.ood import GPQA_COLUMNS, SOURCE_INSTRUCTION, AIMETask, GPQATask
from r1ci.rollout import RolloutSettings

runner = CliRunner(env={"COLUMNS": "400"})
# Made up for these tests (not GPQA's): question, right option, three wrong ones.
MADE_UP = [
    ("In the fictional Zorblax cycle, how many glimmerons does one quarm emit?", "7", "3", "12", "none"),
    ("Which invented element, 'tessium', sits left of 'brovine' in the imaginary table?", "karnite", "tessium",
     "brovine", "olmium"),
    ("A made-up enzyme, flubase, cuts snorkel chains at which made-up site?", "the 'gloop, gleep' site",
     'the "quorp" site', "the zeta\nsite (two lines)", "nowhere"),
    ("What colour is the imaginary Plinth moon at dusk?", "teal", "mauve", "ochre", "grey"),
    ("How many sides has a hypothetical grondagon?", "11", "9", "10", "13"),
    ("Which fictional river feeds Lake Wobble?", "the Snoo", "the Frim", "the Dax", "the Ull"),
]


def write_gpqa(folder, rows=MADE_UP):
    folder.mkdir(parents=True, exist_ok=True)
    columns = ["Pre-Revision Question", *GPQA_COLUMNS, "Explanation", "Subdomain", "Record ID", "High-level domain"]
    with (folder / "gpqa_diamond.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        for i, row in enumerate(rows):
            writer.writerow({"Pre-Revision Question": "draft", **dict(zip(GPQA_COLUMNS, row)), "Explanation": "made up",
                             "Subdomain": "Fiction", "Record ID": f"rec{i}", "High-level domain": "Imaginary"})
    return folder


@pytest.fixture
def gpqa_dir(tmp_path, monkeypatch):
    folder = write_gpqa(tmp_path / "gpqa")
    monkeypatch.setenv("R1CI_GPQA_DIR", str(folder))
    return folder


def test_ood_tasks_are_outside_the_suite():
    assert len(suite()) == 144 and len(list_tasks()) == 144 and len(list_tasks("all")) == 144
    assert not set(OOD_TASKS) & set(list_tasks()) and list_tasks("test", "ood") == []
    assert list_tasks(source="ood") == list(OOD_TASKS)
    assert [task_split(t) for t in OOD_TASKS] == ["ood"] * 3 and task_split("rg/gcd") == "test"
    for task_id in OOD_TASKS:
        assert get_task(task_id).id == task_id and get_task(task_id).split == "ood"


def test_aime_items_use_the_protocols_instruction(aime_dir):
    for task_id in ("ood/aime_2024", "ood/aime_2025"):
        task = get_task(task_id)
        assert task.size() == 30
        for item in task.items(30):
            assert item["question"].endswith("\n\n" + ANSWER_INSTRUCTION)
            assert SOURCE_INSTRUCTION not in item["question"] and "\\boxed{}" not in item["question"]
            assert 0 <= int(item["answer"]) <= 999 and item["answer"] == str(int(item["answer"]))


def test_all_60_aime_answers_score_1_and_wrong_ones_0_in_the_grading_sandbox(aime_dir, grader):
    requests = []
    for task_id in ("ood/aime_2024", "ood/aime_2025"):
        task = get_task(task_id)
        for item in task.items(30):
            requests += [(task, item["answer"], item), (task, task.wrong_answer(item), item)]
    grades = grader.grade_many(requests)
    assert len(grades) == 120
    assert [g.score for g in grades[0::2]] == [1.0] * 60
    assert [g.score for g in grades[1::2]] == [0.0] * 60
    task, _, item = requests[0]  # 204: math-verify accepts its forms, not another number
    forms = ["204", " 204 ", "204.0", "\\boxed{204}", "$204$", "203", "2040", "two hundred four", "(("]
    assert [g.score for g in grader.grade_many([(task, a, item) for a in forms])] == [1.0] * 5 + [0.0] * 4


def test_aime_folder_errors_are_clear(tmp_path, monkeypatch):
    monkeypatch.setenv("R1CI_AIME_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="aime24.jsonl not found"):
        AIMETask("aime_2024").item(0)
    (tmp_path / "aime25.jsonl").write_text(json.dumps({"prompt": "What is 1+1?", "answer": 1000}) + "\n")
    with pytest.raises(ValueError, match="AIME answers are integers 0 to 999"):
        AIMETask("aime_2025").item(0)
    (tmp_path / "aime25.jsonl").write_text(json.dumps({"problem": f"What is 1+1?\n{SOURCE_INSTRUCTION}",
                                                       "answer": "002"}) + "\n")
    item = AIMETask("aime_2025").item(0)  # the hub's field names and zero-padded answers are read too
    assert item["question"] == f"What is 1+1?\n\n{ANSWER_INSTRUCTION}" and item["answer"] == "2"


def test_gpqa_loads_the_official_columns_and_shuffles_by_question(gpqa_dir):
    task = get_task("ood/gpqa_diamond")
    items = task.items(10)
    assert len(items) == task.size() == len(MADE_UP)
    letters = set()
    for item, (question, right, *wrong) in zip(items, MADE_UP):
        assert item["question"].startswith(question + "\nOptions:\n(A) ")
        assert item["question"].endswith(ANSWER_INSTRUCTION)
        options = item["metadata"]["options"]
        assert sorted(options) == ["A", "B", "C", "D"]
        assert options[item["answer"][1]] == " ".join(right.split()).lower()
        assert sorted(options.values()) == sorted(" ".join(t.split()).lower() for t in (right, *wrong))
        letters.add(item["answer"])
    assert len(letters) > 1  # the right option is not always in the same place
    assert ") the zeta site (two lines)\n" in items[2]["question"]  # an option's lines joined into one
    again = GPQATask().items(10)  # deterministic: a fresh task (another process, machine) gives the same items
    assert again == items


def test_gpqa_scores_letters_like_bbh(gpqa_dir, grader):
    task = get_task("ood/gpqa_diamond")
    item = task.item(2)
    right = item["answer"][1]
    texts = {letter: line.split(") ", 1)[1] for letter, line in
             ((line[1], line) for line in item["question"].splitlines() if line[:1] == "(" and line[2:3] == ")")}
    other = next(c for c in "ABCD" if c != right)
    answers = [f"({right})", right, right.lower(), f"({right}) {texts[right]}", texts[right],
               f"({other})", f"({right}) {texts[other]}", texts[other], task.wrong_answer(item), "(E)", "A or B"]
    grades = grader.grade_many([(task, a, item) for a in answers])
    assert [g.score for g in grades] == [1.0] * 5 + [0.0] * 6, [(a, g) for a, g in zip(answers, grades)]


def test_gpqa_file_errors_are_clear(tmp_path, monkeypatch):
    monkeypatch.setenv("R1CI_GPQA_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="gpqa_diamond.csv not found"):
        GPQATask().item(0)
    (tmp_path / "gpqa_diamond.csv").write_text("Question,Answer\nq,a\n")
    with pytest.raises(ValueError, match="not GPQA's table .no column Correct Answer"):
        GPQATask().item(0)


def test_eval_selects_ood_tasks_with_any_split_and_all_selects_both_splits(monkeypatch):
    items = select_items("test", ["ood/aime_2024", "rg/gcd"], 2, seed=0)
    assert [i["task"] for i in items] == ["rg/gcd"] * 2 + ["ood/aime_2024"] * 2
    assert {i["task"] for i in select_items("train", ["ood/aime_2025"], 1, seed=0)} == {"ood/aime_2025"}
    with pytest.raises(RunError, match="not test tasks: rg/basic_arithmetic"):
        select_items("test", ["rg/basic_arithmetic"], 1, seed=0)
    with pytest.raises(RunError, match="not suite or OOD tasks: rg/nope"):
        select_items("all", ["rg/nope"], 1, seed=0)
    both = select_items("all", ["rg/basic_arithmetic", "rg/gcd"], 1, seed=0)
    assert [i["task"] for i in both] == ["rg/basic_arithmetic", "rg/gcd"]

    class Fake:  # every task of --split all, without generating 144 tasks' items
        def __init__(self, task_id):
            self.id = task_id

        def items(self, n, seed=0, exclude=()):
            return [{"id": f"{self.id}/0", "task": self.id}]

    monkeypatch.setattr("r1ci.tasks.get_task", Fake)
    chosen = [i["task"] for i in select_items("all", None, 1, seed=0)]
    assert sorted(chosen) == sorted(suite()) and not set(chosen) & set(OOD_TASKS)
    assert EvalConfig(model="m", split="all").split == "all"
    with pytest.raises(ValueError, match="split must be train, test or all"):
        EvalConfig(model="m", split="ood")


@pytest.mark.parametrize("mode, tasks, n", [("ci", list(OOD_TASKS), 2), ("text", ["ood/aime_2025"], 1),
                                            ("code", ["ood/gpqa_diamond"], 1)])
def test_eval_runs_the_ood_tasks_in_every_mode(tiny_model_dir, tmp_path, gpqa_dir, aime_dir, mode, tasks, n):
    config = EvalConfig(model=str(tiny_model_dir), tasks=tasks, n_per_task=n, mode=mode,
                        rollout=RolloutSettings(max_new_tokens=32, turn_tokens=16), concurrency=2, workers=1)
    summary = evaluate(config, tmp_path / "run", show_progress=False)
    assert summary["n_items"] == n * len(tasks) and set(summary["by_task"]) == set(tasks)
    records = [json.loads(line) for line in (tmp_path / "run" / "results.jsonl").read_text().splitlines()]
    assert {r["task"] for r in records} == set(tasks) and all(r["mode"] == mode for r in records)
    table = {row["row"]: row for row in summary["reference"]["table"]}
    if "ood/aime_2024" in tasks:
        assert table["AIME 2024/25"]["tasks"] == 2 and table["AIME 2024/25"]["paper"] == 0.42
    if "ood/gpqa_diamond" in tasks:
        assert table["GPQA-Diamond"]["of"] == 1 and table["GPQA-Diamond"]["paper"] == 0.502
    assert summary["reference"]["rows"] == []  # no test task, so no comparison with the paper's test-task systems
    assert "AIME 2024/25" in (tmp_path / "run" / "report.md").read_text() or "ood/aime_2024" not in tasks


def test_cli_lists_shows_and_checks_the_ood_tasks(gpqa_dir, aime_dir, tmp_path):
    rows = json.loads(runner.invoke(app, ["tasks", "list", "--source", "ood", "--json"]).stdout)
    assert [(r["id"], r["split"]) for r in rows] == [(t, "ood") for t in OOD_TASKS]
    assert "144 tasks (107 train, 37 test)" in runner.invoke(app, ["tasks", "list"]).stdout
    shown = runner.invoke(app, ["tasks", "show", "ood/aime_2024", "--aime-dir", str(aime_dir), "--n", "2"])
    assert shown.exit_code == 0 and shown.stdout.count("scores 1.0") == 2 and "<<<answer>>>" in shown.stdout
    report = tmp_path / "check.json"
    checked = runner.invoke(app, ["tasks", "check", "--source", "ood", "--workers", "1", "--report", str(report),
                                  "--aime-dir", str(aime_dir), "--gpqa-dir", str(gpqa_dir)])
    assert checked.exit_code == 0, checked.output
    assert [(r["task"], r["items"], r["passed"]) for r in json.loads(report.read_text())] == \
        [("ood/aime_2024", 30, True), ("ood/aime_2025", 30, True), ("ood/gpqa_diamond", len(MADE_UP), True)]
