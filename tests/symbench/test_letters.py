import pytest

from r1ci.tasks import get_task
from r1ci.tasks.symbench.letters import LettersConfig, LettersDataset, words_by_shape

TASK = get_task("symbench/letters")


def item_with(word, letter):
    return {"id": "x", "task": TASK.id, "question": "", "answer": "", "metadata": {"word": word, "letter": letter}}


ITEM = item_with("strawberry", "r")  # r at 3, 8 and 9


@pytest.mark.parametrize("answer", ["Count: 3, Positions: [3, 8, 9]", "count: 3, positions: [3,8,9]",
                                    "Count: 3, Positions: [9, 3, 8]", "Count:3 Positions:[3, 8, 9].",
                                    "'Count: 3, Positions: [3, 8, 9]'"])
def test_accepts_count_and_positions_in_any_order(answer, grader):
    assert grader.grade(TASK, answer, ITEM).correct


@pytest.mark.parametrize(
    "answer, reason",
    [
        ("Count: 2, Positions: [3, 8, 9]", "wrong count 2"),
        ("Count: 3, Positions: [2, 7, 8]", "wrong positions"),  # counted from 0
        ("Count: 3, Positions: [3, 8, 8]", "wrong positions"),
        ("Count: 3, Positions: [3, 8, 9, 9]", "wrong positions"),
        ("Count: 3, Positions: [3, 8]", "wrong positions"),
        ("3", "must look like"),
        ("Count: 3, Positions: 3, 8, 9", "must look like"),
        ("Count: 3, Positions: [3, 8, 9] and more", "must look like"),
        ("Count: 3, Positions: [3, , 9]", "comma-separated list of integers"),
    ],
)
def test_rejects_wrong_counts_and_positions(answer, reason, grader):
    grade = grader.grade(TASK, answer, ITEM)
    assert grade.score == 0.0 and reason in grade.reason


@pytest.mark.parametrize(
    "answer",
    ["", " ", "Count: 3, Positions: [" + "3, " * 6000, "Count: 99999999999, Positions: []", None, 3, [3, 8, 9],
     "Count: ３, Positions: [3, 8, 9]", "Count: 3, Positions: [٣, 8, 9]"],
)
def test_malformed_answers_score_zero_without_raising(answer, grader):
    assert grader.grade(TASK, answer, ITEM).score == 0.0


def test_generator_uses_dictionary_words_where_it_can():
    short = LettersDataset(LettersConfig(min_length=6, max_length=8, max_count=2))
    words = [short[i]["metadata"]["word"] for i in range(20)]
    index = words_by_shape()
    assert sum(w in index[len(w), w[0], w.count(w[0])] for w in words) >= 15  # the rare misses are random letters
    long = LettersDataset(LettersConfig(min_length=30, max_length=30))
    assert all(len(long[i]["metadata"]["word"]) == 30 for i in range(10))


def test_generator_respects_word_and_count_bounds():
    for i in range(30):
        item = TASK.item(i)
        m = item["metadata"]
        assert 1 <= m["word"].count(m["letter"]) <= 5 and 5 <= len(m["word"]) <= 25


def test_codesteer_instances_load(symbench_dir):
    originals = TASK.load_originals(symbench_dir)
    assert len(originals) >= 1675  # the nine length folders of the shared sample
    assert {o["id"].split("/")[4] for o in originals} >= {"Letters_dataset_min_length_5_max_length_10",
                                                          "Letters_dataset_min_length_750_max_length_800"}
    for item in originals[::10]:  # the files hold only the word; the folder name gives the letter and its count
        letter, count, _ = item["id"].split("/")[-2].split("_")
        assert item["answer"].startswith(f"Count: {count}, ") and item["metadata"]["letter"] == letter
