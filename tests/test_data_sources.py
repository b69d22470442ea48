"""BBH and the fixed SymBench math datasets: loading from folders, scoring, and clear errors on bad data."""

import pytest

from r1ci.tasks.bbh import BBHTask
from r1ci.tasks.symbench.mathdata import MathDataTask, last_boxed


@pytest.fixture
def date_item():
    task = BBHTask("date_understanding", "train")
    return task, next(i for i in task.items(250) if i["answer"] == "(B)" and "12/25/1937" in i["question"])


@pytest.mark.parametrize("answer", ["(B)", "B", "b", " ( b ) ", "(B) 12/25/1937", "12/25/1937", "B."])
def test_bbh_accepts_forms_of_the_right_option(date_item, answer, grader):
    task, item = date_item
    assert grader.grade(task, answer, item).correct


@pytest.mark.parametrize("answer", ["(A)", "A", "(A) 12/25/1937", "12/11/1937", "A or B", "(B) or (A)", "((B"])
def test_bbh_never_accepts_another_option(date_item, answer, grader):
    task, item = date_item
    assert grader.grade(task, answer, item).score == 0.0


def test_bbh_free_form_answers(grader):
    dyck, words, arith = BBHTask("dyck_languages", "test"), BBHTask("word_sorting", "test"), BBHTask("multistep_arithmetic_two", "train")
    item = next(i for i in dyck.items(250) if i["answer"] == "] ]")
    assert grader.grade(dyck, "]]", item).score == 1.0 and grader.grade(dyck, "] ] ]", item).score == 0.0
    item = words.item(0)
    assert grader.grade(words, item["answer"].upper(), item).score == 1.0
    assert grader.grade(words, ", ".join(item["answer"].split()), item).score == 1.0
    assert grader.grade(words, " ".join(reversed(item["answer"].split())), item).score == 0.0
    item = arith.item(0)
    assert grader.grade(arith, f" {item['answer']} ", item).score == 1.0
    assert grader.grade(arith, item["answer"] + "1", item).score == 0.0


@pytest.mark.parametrize("kind", [BBHTask, MathDataTask])
def test_a_fixed_dataset_draws_its_questions_by_seed(kind):
    """Seed 0 keeps the file's order; other seeds draw other questions; an item's id is its record, any seed."""
    task = BBHTask("navigate", "train") if kind is BBHTask else MathDataTask("math_counting_probability", "test")
    first = [task.item(i)["question"] for i in range(30)]
    assert [i["id"] for i in task.items(30)] == [f"{task.id}/{i}" for i in range(30)]
    one, two = ([i["id"] for i in task.items(30, seed=s)] for s in (1, 2))
    assert one == [i["id"] for i in task.items(30, seed=1)], "a seed draws the same questions every time"
    assert len(set(one) & set(two)) < 15 and len(set(one) & {f"{task.id}/{i}" for i in range(30)}) < 15
    record = int(one[0].rsplit("/", 1)[1])
    assert task.item(0, seed=1)["question"] == task.item(record)["question"]
    assert sorted(task.item(i, seed=1)["id"] for i in range(task.size())) == sorted(
        task.item(i)["id"] for i in range(task.size())), "every seed walks every record once"
    assert first == [task.item(i, seed=0)["question"] for i in range(30)]
    with pytest.raises(IndexError):
        task.item(task.size(), seed=1)


def test_bbh_corrupt_or_missing_file_gives_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("R1CI_BBH_DIR", str(tmp_path))
    (tmp_path / "navigate.json").write_text('{"examples": [')
    with pytest.raises(ValueError, match="navigate.json is not a BBH file"):
        BBHTask("navigate", "train").item(0)
    with pytest.raises(FileNotFoundError, match="snarks.json not found"):
        BBHTask("snarks", "test").item(0)


def test_math_tasks_judge_with_math_verify(grader):
    task = MathDataTask("math_counting_probability", "test")
    item = next(i for i in task.items(800) if i["answer"] == "\\frac{1}{2}")
    for answer in ["1/2", "0.5", "\\frac{1}{2}", "\\dfrac{1}{2}", "$\\frac12$"]:
        assert grader.grade(task, answer, item).score == 1.0, answer
    for answer in ["1/3", "0.51", "2", "x", "\\frac{1}{"]:
        assert grader.grade(task, answer, item).score == 0.0, answer


def test_gsm_hard_loads_and_scores_numbers(grader):
    task = MathDataTask("gsm_hard", "train")
    assert task.size() == 1319
    item = task.item(0)
    assert item["question"].startswith("Janet") and "<<<answer>>>" in item["question"]
    assert grader.grade(task, item["answer"], item).score == 1.0
    assert grader.grade(task, task.wrong_answer(item), item).score == 0.0


def test_math_originals_are_the_published_records(symbench_dir, grader):
    task = MathDataTask("math_geometry", "train")
    originals = task.load_originals(symbench_dir)
    assert len(originals) == 870 and all(grader.grade(task, o["answer"], o).score == 1.0 for o in originals[:50])


def test_last_boxed_handles_nested_braces():
    assert last_boxed("so \\boxed{1} or \\boxed{\\frac{1}{2}}.") == "\\frac{1}{2}"
    with pytest.raises(ValueError):
        last_boxed("no box")


def test_missing_math_folder_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("R1CI_SYMBENCH_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="gsmhardv2.jsonl not found"):
        MathDataTask("gsm_hard", "train").item(0)


def test_data_folders_are_passed_in_not_switched_globally(tmp_path, monkeypatch):
    """A task reads the folder it is given, whatever the environment says; the environment is only the default."""
    import json

    from r1ci.tasks import DataFolders, get_task

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "navigate.json").write_text(json.dumps({"examples": [{"input": "Mine?", "target": "Yes"}]}))
    shared = get_task("bbh/navigate").item(0)  # the environment's folder (the shared data, via conftest)
    assert get_task("bbh/navigate", DataFolders(bbh_dir=mine)).item(0)["question"].startswith("Mine?")
    assert get_task("bbh/navigate").item(0) == shared  # nothing was switched for anyone else
    monkeypatch.setenv("R1CI_BBH_DIR", str(mine))
    assert DataFolders().bbh_dir == mine.resolve()  # the documented default
    with pytest.raises(ValueError, match=r"bbh_dir: .* is not a folder \(from --bbh-dir or \$R1CI_BBH_DIR\)"):
        DataFolders(bbh_dir=tmp_path / "absent")


def test_only_the_folder_settings_read_the_environment():
    """Each folder's environment variable is read in one place, r1ci/tasks/data.py, for its default."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "r1ci"
    readers = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                     if any(name in p.read_text() for name in ('environ.get("R1CI_', "environ.get(f\"R1CI_",
                                                                 'environ["R1CI_', "_DIR_ENV")))
    assert readers == [], readers
    assert "os.environ[" not in (root / "cli.py").read_text()  # no command sets a variable for code below it
