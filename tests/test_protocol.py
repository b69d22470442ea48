import pytest

from r1ci import extract_answer


@pytest.mark.parametrize(
    "text, expected",
    [
        ("so the answer is <<<42>>>", "42"),
        ("first <<<1>>> then, on reflection, <<< 2 >>>", "2"),
        ("<<<[[1, 2],\n [3, 4]]>>>", "[[1, 2],\n [3, 4]]"),
        ("<<<a > b>>>", "a > b"),
        ("no answer here", None),
        ("unclosed <<<42", None),
        ("<<<>>>", ""),
        ("", None),
        (None, None),
        (42, None),
    ],
)
def test_extract_answer_takes_the_last_marked_answer(text, expected):
    assert extract_answer(text) == expected
