"""Pooling: slide an n*n window over an N*N integer matrix (stride 1) and output the max or the average of
each window, as a flat (or nested) list in row-major order. The checker recomputes the pooled matrix from
the instance; averages are accepted when within 0.01 of the exact value (two-decimal rounding), which
cannot confuse two possible averages of integers (they differ by at least 1/9)."""

import random
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from r1ci.tasks.symbench._lists_util import expect_count, list_items
from r1ci.tasks.symbench.base import (Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, read_sample,
                                      require, span)
from r1ci.tasks.teaching import Solution, meta, script, script_with_functions

TOLERANCE = Fraction(1, 100)
POOLING_TYPES = ("max", "average")


@dataclass
class PoolingConfig(SymbenchConfig):
    min_size: int = 3  # N, the matrix side
    max_size: int = 6
    min_window: int = 2  # n, the window side (always < N)
    max_window: int = 3
    min_value: int = -10
    max_value: int = 20

    def validate(self) -> None:
        super().validate()
        self.require_span("size", 2, 12)
        self.require_span("window", 1, None)
        require(self.min_window < self.min_size, "min_window must be less than min_size (the window is smaller than "
                f"the matrix), got min_window={self.min_window!r}, min_size={self.min_size!r}")
        self.require_span("value", None, None)


class PoolingCurriculum(SymbenchCurriculum):
    config_cls = PoolingConfig
    definitions = (
        span("size", [3, 4, 6, 8, 10], "the matrix's side N"),
        span("window", [2, 3, 4], "the window's side n (< N)"),
    )


def render(matrix: list[list[int]], window: int, pooling_type: str) -> str:
    is_max = pooling_type == "max"
    rows = "\n".join(", ".join(map(str, row)) for row in matrix)
    return (
        "In an N*N grid, there are N^2 numbers, with numbers in the same row separated by commas. "
        f'We define the "{pooling_type} pooling" operation: suppose that there is an n*n (n<N) sliding window, '
        "which slides from left to right or from top to bottom in the matrix, "
        f"{'finding the maximum value' if is_max else 'calculating the average value'} in each sliding window. "
        f"Then, the {'maximum' if is_max else 'average'} values are arranged according to their original "
        "positions to form a new matrix for output.\n"
        f"Now, please perform {pooling_type} pooling on the following matrix by using a {window}*{window} "
        f"sliding window:\n{rows}\nFor example, <<<0,0,0,0>>> represents a 2D array."
    )


def pool(matrix: list[list[int]], window: int, pooling_type: str) -> list[list[Fraction]]:
    """The pooled matrix, exactly (averages as fractions)."""
    out_side = len(matrix) - window + 1
    result = []
    for i in range(out_side):
        row = []
        for j in range(out_side):
            values = [matrix[i + a][j + b] for a in range(window) for b in range(window)]
            row.append(Fraction(max(values)) if pooling_type == "max" else Fraction(sum(values), len(values)))
        result.append(row)
    return result


def format_number(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):.4f}".rstrip("0").rstrip(".")


def parse_number(text: str) -> Fraction:
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise Incorrect(f"{text[:20]!r} is not a number") from None


class PoolingDataset(SymbenchDataset):
    name = "pooling"
    config_cls = PoolingConfig
    curriculum_cls = PoolingCurriculum
    codesteer = ("pooling_dataset/sample_*",)

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        c = self.config
        size = rng.randint(c.min_size, c.max_size)
        window = rng.randint(c.min_window, min(c.max_window, size - 1))
        pooling_type = rng.choice(POOLING_TYPES)
        matrix = [[rng.randint(c.min_value, c.max_value) for _ in range(size)] for _ in range(size)]
        metadata = {"matrix": matrix, "window_size": window, "pooling_type": pooling_type}
        return render(matrix, window, pooling_type), metadata

    def check(self, answer: str, metadata: dict) -> None:
        expected = [v for row in pool(metadata["matrix"], metadata["window_size"], metadata["pooling_type"])
                    for v in row]
        items = list_items(answer)
        expect_count(items, len(expected))
        side = len(metadata["matrix"]) - metadata["window_size"] + 1
        for k, (item, want) in enumerate(zip(items, expected)):
            if abs(parse_number(item) - want) > TOLERANCE:
                raise Incorrect(f"wrong value {item[:20]} at row {k // side}, column {k % side} of the pooled matrix")

    def solve(self, metadata: dict) -> str:
        pooled = pool(metadata["matrix"], metadata["window_size"], metadata["pooling_type"])
        return ",".join(format_number(v) for row in pooled for v in row)

    def corrupt(self, answer: str, metadata: dict) -> str:
        """Shift the first value by one: a digit change in a long decimal could stay within tolerance."""
        first, _, rest = answer.partition(",")
        return ",".join(filter(None, [format_number(parse_number(first) + 1), rest]))

    @classmethod
    def read_original(cls, sample: Path) -> tuple[str, dict]:
        """`pooling_dataset/sample_N/`: question.txt and solution.json (matrix, window_size, pooling_type,
        solution as a nested list)."""
        question, data = read_sample(sample)
        metadata = {"matrix": data["matrix"], "window_size": data["window_size"], "pooling_type": data["pooling_type"]}
        side = len(metadata["matrix"])
        if any(len(row) != side or not all(type(v) is int for v in row) for row in metadata["matrix"]):
            raise ValueError("solution.json: the matrix is not a square of integers")
        window = metadata["window_size"]
        if type(window) is not int or not 1 <= window < side or metadata["pooling_type"] not in POOLING_TYPES:
            raise ValueError("solution.json: bad window size or pooling type")
        metadata["reference"] = ",".join(format_number(Fraction(v)) for row in data["solution"] for v in row)
        return question, metadata


# Alternatives: max pooling in two passes (each row's window maxima, then down each column of those) and average
# pooling from a summed-area table; and every window's values cut out as slices, averaged in whole numbers.
SEPARABLE = """
side = len(matrix) - window + 1
if pooling == "max":
    across = [[max(row[j:j + window]) for j in range(side)] for row in matrix]
    pooled = [[max(across[i + a][j] for a in range(window)) for j in range(side)] for i in range(side)]
    print(",".join(str(v) for row in pooled for v in row))
else:
    n = len(matrix)
    table = [[0] * (n + 1) for _ in range(n + 1)]  # table[i][j]: the sum of matrix[:i][:j]
    for i in range(n):
        for j in range(n):
            table[i + 1][j + 1] = matrix[i][j] + table[i][j + 1] + table[i + 1][j] - table[i][j]
    sums = [table[i + window][j + window] - table[i][j + window] - table[i + window][j] + table[i][j]
            for i in range(side) for j in range(side)]
    area = window * window
    print(",".join(str(s // area) if s % area == 0 else f"{s / area:.4f}".rstrip("0") for s in sums))
"""
BY_SLICES = """
side = len(matrix) - window + 1
results = []
for i in range(side):
    for j in range(side):
        values = [v for row in matrix[i:i + window] for v in row[j:j + window]]
        if pooling == "max":
            results.append(str(max(values)))
        else:
            quotient, remainder = divmod(sum(values), len(values))
            results.append(str(quotient) if remainder == 0 else str(round(sum(values) / len(values), 4)))
print(",".join(results))
"""


def teacher(item: dict) -> Solution:
    """The scripted teacher's program: `pool` the matrix, each value written as `format_number` does;
    alternatives pool in two passes or from a summed-area table, or cut each window out as slices. The worked
    solution shows the first window in full, then each row of the pooled matrix."""
    matrix, window, pooling = meta(item, "matrix"), meta(item, "window_size"), meta(item, "pooling_type")
    data = dict(matrix=matrix, window=window, pooling=pooling)
    pooled = pool(matrix, window, pooling)
    first = [v for row in matrix[:window] for v in row[:window]]
    how = (f"the maximum of {', '.join(map(str, first))} is {max(first)}" if pooling == "max" else
           f"({' + '.join(map(str, first))}) / {len(first)} = {sum(first)}/{len(first)} = "
           f"{format_number(pooled[0][0])}")
    lines = [f"The {window}*{window} window takes {len(pooled)} places across and {len(pooled)} down, "
             f"so the result is {len(pooled)}*{len(pooled)}.",
             f"Top-left window (rows 1-{window}, columns 1-{window}): {how}.",
             "Sliding the window one step at a time the same way, row by row of the result:"]
    lines += [f"Row {i}: {', '.join(map(format_number, row))}" for i, row in enumerate(pooled, 1)]
    lines.append(f"So the answer is {','.join(format_number(v) for row in pooled for v in row)}")
    return Solution(code=script_with_functions(
        data, pool, format_number,
        last='print(",".join(format_number(v) for row in pool(matrix, window, pooling) for v in row))'),
        alternatives=(script(data, SEPARABLE), script(data, BY_SLICES)),
        worked="\n".join(lines))
