"""Matrix transformation: rotate a small matrix of letters, digits or symbols 90 degrees clockwise and
list the result row by row (`<<<A,B,C,D>>>`; nested brackets and quotes are tolerated). The checker
rotates the matrix itself and compares cell by cell, case-sensitively."""

import random
import string
from dataclasses import dataclass, field
from pathlib import Path

from r1ci.tasks.symbench._lists_util import expect_count, list_items
from r1ci.tasks.symbench.base import (Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, read_sample,
                                      require, span)
from r1ci.tasks.teaching import Solution, meta, script, script_with_functions

ALPHABETS = {
    "letters": string.ascii_uppercase,
    "numbers": string.digits[1:],
    "mixed": string.ascii_uppercase + string.digits[1:],
    "symbols": "!@#$%^&*",
}


@dataclass
class MatrixTransformationConfig(SymbenchConfig):
    min_dim: int = 2  # rows and columns are drawn independently from [min_dim, max_dim]
    max_dim: int = 4
    contents: tuple[str, ...] = field(default_factory=lambda: tuple(ALPHABETS))

    def validate(self) -> None:
        super().validate()
        self.require_span("dim", 1, 10)
        require(bool(self.contents) and set(self.contents) <= set(ALPHABETS),
                f"contents must be some of {list(ALPHABETS)}, got {self.contents!r}")


class MatrixTransformationCurriculum(SymbenchCurriculum):
    config_cls = MatrixTransformationConfig
    definitions = (span("dim", [2, 3, 4, 6, 8], "rows and columns of the matrix"),)


def render(matrix: list[list[str]]) -> str:
    rows = "\n".join(" ".join(row) for row in matrix)
    return (
        "Given a 2D array of strings, which represents a letter matrix. Your task is to rotate this matrix "
        f"90 degrees clockwise and output the result.\nIf the matrix is \n{rows}.\nWhat is the result?\n"
        "Return your answer with format <<<list of values and symbols>>>, "
        "For example, <<<A,B,C,D>>> represents a 2D array."
    )


def rotate_clockwise(matrix: list[list[str]]) -> list[list[str]]:
    """Row i of the result is column i of the matrix read from bottom to top."""
    return [list(column) for column in zip(*reversed(matrix))]


class MatrixTransformationDataset(SymbenchDataset):
    name = "matrix_transformation"
    config_cls = MatrixTransformationConfig
    curriculum_cls = MatrixTransformationCurriculum
    codesteer = ("matrix_transformation_dataset/sample_*",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        c = self.config
        rows, cols = rng.randint(c.min_dim, c.max_dim), rng.randint(c.min_dim, c.max_dim)
        alphabet = ALPHABETS[rng.choice(c.contents)]
        matrix = [[rng.choice(alphabet) for _ in range(cols)] for _ in range(rows)]
        return render(matrix), {"matrix": matrix}

    def check(self, answer: str, metadata: dict) -> None:
        rotated = rotate_clockwise(metadata["matrix"])
        expected = [cell for row in rotated for cell in row]
        items = list_items(answer)
        expect_count(items, len(expected))
        width = len(rotated[0])
        for k, (item, want) in enumerate(zip(items, expected)):
            if item != want:
                raise Incorrect(f"wrong value {item[:10]!r} at row {k // width}, column {k % width} "
                                "of the rotated matrix")

    def solve(self, metadata: dict) -> str:
        return ",".join(cell for row in rotate_clockwise(metadata["matrix"]) for cell in row)

    @classmethod
    def read_original(cls, sample: Path) -> tuple[str, dict]:
        """`matrix_transformation_dataset/sample_N/`: question.txt and solution.json (matrix, solution,
        formatted_solution)."""
        question, data = read_sample(sample)
        matrix = data.get("matrix")
        if (not isinstance(matrix, list) or not matrix or not all(isinstance(row, list) for row in matrix)
                or len({len(row) for row in matrix}) != 1
                or not all(isinstance(cell, str) and list_items(cell) == [cell] for row in matrix for cell in row)):
            raise ValueError("cannot parse the matrix in solution.json")
        metadata = {"matrix": matrix}
        if "formatted_solution" in data:
            metadata["reference"] = data["formatted_solution"]
        return question, metadata


MATRIX_TRANSFORMATION_CHECK = r"""
cells = answer.split(",")
rows, cols = len(matrix), len(matrix[0])
assert len(cells) == rows * cols, "wrong number of cells"
for i in range(cols):  # clockwise: new (i, j) is old (rows - 1 - j, i)
    for j in range(rows):
        assert cells[i * rows + j] == matrix[rows - 1 - j][i], (i, j)
print("check passed")
"""


ROTATE_BY_INDEX = """
rows, cols = len(matrix), len(matrix[0])
# clockwise, cell (i, j) of the result is cell (rows - 1 - j, i) of the matrix
rotated = [[matrix[rows - 1 - j][i] for j in range(rows)] for i in range(cols)]
print(",".join(",".join(row) for row in rotated))
"""

ROTATE_BY_TRANSPOSE_AND_MIRROR = """
transposed = []
for i in range(len(matrix[0])):
    transposed.append([row[i] for row in matrix])
for row in transposed:
    row.reverse()  # transposing and then mirroring each row turns the matrix clockwise
cells = []
for row in transposed:
    cells.extend(row)
print(",".join(cells))
"""


def teacher(item: dict) -> Solution:
    """The scripted teacher's programs: `rotate_clockwise`, index arithmetic cell by cell, and a transpose whose
    rows are then mirrored; its check maps each cell back to where it came from. The worked solution reads
    each column from bottom to top."""
    matrix = meta(item, "matrix")
    data = dict(matrix=matrix)
    answer = ",".join(cell for row in rotate_clockwise(matrix) for cell in row)
    steps = [f"Column {i + 1} of the matrix, top to bottom, is {' '.join(column)}; "
             f"read from bottom to top it is row {i + 1}: {' '.join(reversed(column))}."
             for i, column in enumerate(zip(*matrix))]
    worked = "\n".join([f"The matrix has {len(matrix)} rows and {len(matrix[0])} columns. Rotating it 90 degrees "
                        f"clockwise, row i of the result is column i read from bottom to top.", *steps,
                        f"Listing the rows one after another, the answer is {answer}"])
    return Solution(code=script_with_functions(
                        data, rotate_clockwise,
                        last='print(",".join(cell for row in rotate_clockwise(matrix) for cell in row))'),
                    check=script(data, MATRIX_TRANSFORMATION_CHECK),
                    worked=worked,
                    alternatives=(script(data, ROTATE_BY_INDEX), script(data, ROTATE_BY_TRANSPOSE_AND_MIRROR)))
