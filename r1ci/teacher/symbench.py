"""Program writers for SymBench tasks (see r1ci.teacher for the conventions).

Each writer copies the instance's values, as the question writes them, into a data block, and appends a
general program for the task (a simulation of its rules or a small search), kept here as a constant: the
same program solves every instance. Checks verify a candidate against the question's constraints.

Two of the train tasks have no writer: gsm_hard and math_geometry are free-form word problems, which no
single program solves. The driver takes the last printed line as the answer, so answers that the question
asks for on several lines (a grid, a list of moves) are printed on one line in a form the checker accepts.
"""

from collections import Counter
from itertools import groupby

from r1ci.teacher import Solution, found, meta, script


def number_multiply(item):
    numbers = meta(item, "numbers")
    return Solution(
        code=script({"numbers": numbers}, "print(math.prod(numbers))", "import math"),
        check=f"import math\nvalue = int(answer)\nrest = value\nfor n in {numbers!r}:\n"
              "    assert rest % n == 0, 'not a multiple'\n    rest //= n\nassert rest == 1\nprint('check passed')",
        worked=" × ".join(map(str, numbers)) + f" = {item['answer']}")


def letters(item):
    word, letter = meta(item, "word"), meta(item, "letter")
    return Solution(code=script({"word": word, "letter": letter},
                                "positions = [i + 1 for i, c in enumerate(word) if c == letter]\n"
                                "print(f'Count: {len(positions)}, Positions: {positions}')"))


# Scans and transformations ---------------------------------------------------------------------------

STATISTICAL_COUNTING = r"""
total = 0
for letter, run in groupby(sequence):
    if len(list(run)) >= 2:  # a run of two or more scores its letter once
        total += scores[letter]
print(total)
"""
STATISTICAL_COUNTING_CHECK = r"""
runs = [m.group() for m in re.finditer(r"(.)\1+", sequence)]
assert int(answer) == sum(scores[run[0]] for run in runs), "the runs add up to another total"
print("check passed")
"""


def statistical_counting(item):
    sequence = meta(item, "sequence")
    scores = {rule["letter"]: rule["score"] for rule in meta(item, "rules")}
    data = dict(sequence=sequence, scores=scores)
    runs = ["".join(run) for _, run in groupby(sequence)]
    runs = [run for run in runs if len(run) >= 2]
    listed = ", ".join(f"{run} (+{scores[run[0]]})" for run in runs) or "none"
    return Solution(code=script(data, STATISTICAL_COUNTING, "from itertools import groupby"),
                    check=script(data, STATISTICAL_COUNTING_CHECK, "import re"),
                    worked=f"Runs of two or more equal letters: {listed}. Total score: {item['answer']}")


MATRIX_TRANSFORMATION = r"""
rotated = [list(column) for column in zip(*matrix[::-1])]  # row i = column i read bottom to top
print(",".join(cell for row in rotated for cell in row))
"""
MATRIX_TRANSFORMATION_CHECK = r"""
cells = answer.split(",")
rows, cols = len(matrix), len(matrix[0])
assert len(cells) == rows * cols, "wrong number of cells"
for i in range(cols):  # clockwise: new (i, j) is old (rows - 1 - j, i)
    for j in range(rows):
        assert cells[i * rows + j] == matrix[rows - 1 - j][i], (i, j)
print("check passed")
"""


def matrix_transformation(item):
    matrix = meta(item, "matrix")
    data = dict(matrix=matrix)
    rotated = [" ".join(column) for column in zip(*matrix[::-1])]
    return Solution(code=script(data, MATRIX_TRANSFORMATION),
                    check=script(data, MATRIX_TRANSFORMATION_CHECK),
                    worked="Rotating clockwise, row i of the result is column i read from bottom to top: "
                           f"{' / '.join(rotated)}. Row by row: {item['answer']}")


POOLING = r"""
n = len(matrix)
out = []
for i in range(n - window + 1):
    for j in range(n - window + 1):
        values = [matrix[i + a][j + b] for a in range(window) for b in range(window)]
        if pooling == "max":
            out.append(str(max(values)))
        else:
            out.append(f"{sum(values) / len(values):.4f}".rstrip("0").rstrip("."))
print(",".join(out))
"""


def pooling(item):
    data = dict(matrix=meta(item, "matrix"), window=meta(item, "window_size"), pooling=meta(item, "pooling_type"))
    return Solution(code=script(data, POOLING))


LIGHT_PUZZLES = r"""
lights = [[int(ch) for ch in row] for row in grid]
for name in presses:
    for r, c in buttons[name]:
        lights[int(r) - 1][int(c) - 1] ^= 1
print(",".join(str(v) for row in lights for v in row))
"""
LIGHT_PUZZLES_CHECK = r"""
values = answer.split(",")
n = len(grid)
assert len(values) == n * n, "wrong number of lights"
for r in range(n):
    for c in range(n):  # a light ends toggled once per press of each button that controls it
        presses_here = sum(presses.count(name) for name, cells in buttons.items() if [str(r + 1), str(c + 1)] in cells)
        assert int(values[r * n + c]) == (int(grid[r][c]) + presses_here) % 2, (r + 1, c + 1)
print("check passed")
"""


def light_puzzles(item):
    grid = ["".join(map(str, row)) for row in meta(item, "initial_state")]
    buttons = {name: [[str(r), str(c)] for r, c in cells] for name, cells in meta(item, "buttons").items()}
    data = dict(grid=grid, buttons=buttons, presses=meta(item, "operations"))
    return Solution(code=script(data, LIGHT_PUZZLES), check=script(data, LIGHT_PUZZLES_CHECK))


MAHJONG_PATTERN = r"""
hand = Counter(cards)
for i, card in enumerate(added):
    result = 0  # Pass
    if hand[card] >= 2:
        result = 1  # Peng
    elif chi_rule:
        k = ascii_uppercase.index(card)
        for start in range(max(k - 2, 0), min(k, 23) + 1):  # the runs of three letters that hold the card
            run = ascii_uppercase[start:start + 3]
            if all(hand[x] > 0 for x in run if x != card):
                result = 2  # Chi
    hand[card] += 1
    if i < len(removed):
        hand[removed[i]] -= 1
print(result)
"""


def mahjong_pattern(item):
    rounds, cards, chi = meta(item, "rounds"), meta(item, "initial_cards"), meta(item, "chi")
    added, removed = [r["add"] for r in rounds], [r["remove"] for r in rounds[:-1]]
    data = dict(cards=cards, added=added, removed=removed, chi_rule=chi)
    hand = Counter(cards) + Counter(added[:-1])
    hand.subtract(removed)
    last = added[-1]
    runs = ["".join(chr(ord(last) + d) for d in range(k, k + 3)) for k in (-2, -1, 0)]
    runs = [run for run in runs if run.isalpha() and run.isupper() and all(hand[x] > 0 for x in run if x != last)]
    reason = {"1": f"the hand already holds two {last} cards: Peng",
              "2": f"the hand has no two {last} cards, but {runs[0] if runs else ''} is a run: Chi",
              "0": f"the hand has no two {last} cards{' and no run with it' if chi else ''}: Pass"}[item["answer"]]
    return Solution(
        code=script(data, MAHJONG_PATTERN, "from collections import Counter\nfrom string import ascii_uppercase"),
        worked=f"After the earlier rounds the hand is {' '.join(sorted(hand.elements()))}. For the final card "
               f"{last}, {reason}, so the answer is {item['answer']}")


STRING_INSERTION = r"""
out = []
for i, ch in enumerate(s):
    out.append(ch)
    if i >= 3 and s[i - 3:i + 1] in rules:  # matches are found in the original string
        out.append(rules[s[i - 3:i + 1]])
print("".join(out))
"""


def string_insertion(item):
    s = meta(item, "original_string")
    rules = {"ABCD": "A", "BCDE": "B", "CDEA": "C", "DEAB": "D", "EABC": "E"}
    matches = [f"{s[i:i + 4]} at {i + 1}-{i + 4} (insert {rules[s[i:i + 4]]})"
               for i in range(len(s) - 3) if s[i:i + 4] in rules]
    return Solution(code=script(dict(s=s, rules=rules), STRING_INSERTION),
                    worked=f"Scanning {s} from left to right: {'; '.join(matches)}. "
                           f"Inserting after each match gives {item['answer']}")


PATTERN_RECOGNITION = r"""
rows = [line.split() for line in grid.splitlines()]
h, w = len(rows), len(rows[0])
side = [[1] * w for _ in range(h)]  # side of the largest one-letter square with its corner here
best = None
for r in range(h):
    for c in range(w):
        if r and c and rows[r][c] == rows[r - 1][c] == rows[r][c - 1] == rows[r - 1][c - 1]:
            side[r][c] = 1 + min(side[r - 1][c], side[r][c - 1], side[r - 1][c - 1])
        if side[r][c] >= min_side and (best is None or side[r][c] > best[0]):
            best = (side[r][c], r, c)
print([best[1], best[2]])
"""
PATTERN_RECOGNITION_CHECK = r"""
rows = [line.split() for line in grid.splitlines()]
r, c = json.loads(answer)
letter = rows[r][c]
k = 1  # grow the square up and to the left while it stays one letter
while k <= min(r, c) and all(rows[r - i][c - k] == letter and rows[r - k][c - i] == letter for i in range(k + 1)):
    k += 1
assert k >= min_side, "no square of the minimum side ends there"
assert r + 1 == len(rows) or any(rows[r + 1][c - i] != letter for i in range(k)), "the square goes on downwards"
assert c + 1 == len(rows[0]) or any(rows[r - i][c + 1] != letter for i in range(k)), "the square goes on rightwards"
print("check passed")
"""


def pattern_recognition(item):
    question = item["question"]
    grid = found(r"If the matrix is\n\n(.*?)\n\n", question)
    data = dict(grid=grid, min_side=meta(item, "min_side"))
    rows = [line.split() for line in grid.splitlines()]
    r, c = map(int, item["answer"].strip("[]").split(","))
    k = 1
    while k <= min(r, c) and all(rows[r - i][c - j] == rows[r][c] for i in range(k + 1) for j in range(k + 1)):
        k += 1
    return Solution(code=script(data, PATTERN_RECOGNITION),
                    check=script(data, PATTERN_RECOGNITION_CHECK, "import json"),
                    worked=f"The letter {rows[r][c]} fills rows {r - k + 1}-{r} and columns {c - k + 1}-{c}, "
                           f"a {k}x{k} square; its bottom-right corner is {item['answer']}")


# Rewriting and production cycles -----------------------------------------------------------------------

STRING_SYNTHESIS = r"""
counts = {b: have.get(b, 0) for b in blocks}
changed = True
while changed:  # each method as often as it can, in order, until a full pass changes nothing
    changed = False
    for used, made in methods:
        while all(counts[b] >= n for b, n in used.items()):
            for b, n in used.items():
                counts[b] -= n
            for b, n in made.items():
                counts[b] += n
            changed = True
print(" ".join(str(counts[b]) for b in blocks))
"""
STRING_SYNTHESIS_CHECK = r"""
final = dict(zip(blocks, map(int, answer.split())))
assert len(final) == len(answer.split()) == len(blocks) and min(final.values()) >= 0, "not one count per block"
assert not any(all(final[b] >= n for b, n in used.items()) for used, _ in methods), "a method can still run"
# Blocks are made of base blocks and none are lost: {A} holds 3, {B} and {C} 2, (C) 4, a pair (A) + (B) 5.
assert final["(A)"] == final["(B)"], "(A) and (B) are only made together"
base = (final["[A]"] + final["[B]"] + final["[C]"] + 3 * final["{A}"] + 2 * final["{B}"] + 2 * final["{C}"]
        + 4 * final["(C)"] + 5 * final["(A)"])
assert base == sum(have.values()), "base blocks were lost or made"
print("check passed")
"""
SYNTHESIS_METHODS = [
    ({"[A]": 1, "[B]": 1, "[C]": 1}, {"{A}": 1}),
    ({"[A]": 1, "[B]": 1}, {"{C}": 1}),
    ({"[B]": 1, "[C]": 1}, {"{B}": 1}),
    ({"[C]": 2}, {"{C}": 1}),
    ({"{A}": 1, "{C}": 1}, {"(A)": 1, "(B)": 1}),
    ({"{B}": 2}, {"(C)": 1}),
]


def string_synthesis(item):
    blocks = ["[A]", "[B]", "[C]", "{A}", "{B}", "{C}", "(A)", "(B)", "(C)"]
    have = {"[A]": meta(item, "A_count"), "[B]": meta(item, "B_count"), "[C]": meta(item, "C_count")}
    data = dict(blocks=blocks, have=have, methods=SYNTHESIS_METHODS)
    return Solution(code=script(data, STRING_SYNTHESIS),
                    check=script(data, STRING_SYNTHESIS_CHECK))


ROUND_ROBIN = r"""
counts = dict.fromkeys(names, 0) | have


def runnable(method):
    return all(counts[k] >= n for k, n in method[0].items())


turn = 0
while any(runnable(m) for m in methods):  # one method at a time, in cyclic order
    method = methods[turn % len(methods)]
    if runnable(method):
        for k, n in method[0].items():
            counts[k] -= n
        for k, n in method[1].items():
            counts[k] += n
    turn += 1
"""
SPLITTING_METHODS = [
    ({"A": 1}, {"X": 2, "Y": 1}),
    ({"B": 2}, {"X": 1}),
    ({"C": 2}, {"Y": 1}),
    ({"B": 1, "C": 1}, {"A": 1}),
    ({"X": 1, "Y": 1}, {"Z": 1}),
]


def string_splitting(item):
    data = dict(have=meta(item, "initial_counts"), methods=SPLITTING_METHODS)
    body = 'names = ["A", "B", "C", "X", "Y", "Z"]\n' + ROUND_ROBIN + \
        "print(json.dumps([str(counts[k]) for k in names]))"
    return Solution(code=script(data, body, "import json"))


def synthesis_decomposition(item):
    report = found(r"as a list showing \[(.*?)\]", item["question"]).split(", ")
    methods = [(m["input"], m["output"]) for m in meta(item, "methods")]
    data = dict(have=meta(item, "initial_state"), methods=methods, report=report)
    body = 'names = [label.split("_")[1] for label in report]\n' + ROUND_ROBIN + \
        'print("[" + ", ".join(str(counts[k]) for k in names) + "]")'
    return Solution(code=script(data, body))


# The code of each rule of string_deletion_and_modification, keyed by the rule's text.
REWRITES = {
    "If the string prefix is 'ab', replace it with 'ca'.":
        'if s.startswith("ab"):\n    return "ca" + s[2:]',
    "If the string suffix is 'ac', replace it with 'cb'.":
        'if s.endswith("ac"):\n    return s[:-2] + "cb"',
    "If the string prefix is 'bc', delete the first two characters and append 'aa' to the end.":
        'if s.startswith("bc"):\n    return s[2:] + "aa"',
    "If the string suffix is 'bb', delete the last two characters.":
        'if s.endswith("bb"):\n    return s[:-2]',
    "If the string prefix is 'cb', replace it with 'aa' and delete the last character.":
        'if s.startswith("cb"):\n    return "aa" + s[2:-1]',
    "If the string prefix is 'ca', replace it with 'bb' and append 'c' to the end.":
        'if s.startswith("ca"):\n    return "bb" + s[2:] + "c"',
    "If the string suffix is 'cc', replace it with 'b' and prepend 'a' to the start.":
        'if s.endswith("cc"):\n    return "a" + s[:-2] + "b"',
    "If the string prefix is 'aa', remove the first character.":
        'if s.startswith("aa"):\n    return s[1:]',
    "If the string contains 'abc', replace the first occurrence with 'cab'.":
        'if "abc" in s:\n    return s.replace("abc", "cab", 1)',
    "If the string contains 'bca', delete the first occurrence entirely.":
        'if "bca" in s:\n    return s.replace("bca", "", 1)',
    "If the string ends with 'ba', replace it with 'ab'.":
        'if s.endswith("ba"):\n    return s[:-2] + "ab"',
    "If the string starts with 'cc', remove the first two characters.":
        'if s.startswith("cc"):\n    return s[2:]',
    "If the string contains 'acb', replace the first occurrence with its reverse ('bca').":
        'if "acb" in s:\n    return s.replace("acb", "bca", 1)',
    "If the string ends with 'ca', remove the last character.":
        'if s.endswith("ca"):\n    return s[:-1]',
    "If the string starts with 'bb', remove the second character.":
        'if s.startswith("bb"):\n    return s[0] + s[2:]',
    "If the string ends with 'aa', replace it with 'cc'.":
        'if s.endswith("aa"):\n    return s[:-2] + "cc"',
    "If the string contains 'ca' (not at the start), remove the first occurrence found after the first character.":
        'i = s.find("ca", 1)\nif i != -1:\n    return s[:i] + s[i + 2:]',
    "If the string contains an even number of 'b's (and at least one 'b'), append 'ab' at the end.":
        'if s.count("b") > 0 and s.count("b") % 2 == 0:\n    return s + "ab"',
    "If the string length is greater than 15, remove the middle character.":
        'if len(s) > 15:\n    return s[:len(s) // 2] + s[len(s) // 2 + 1:]',
    "If the string starts with 'ac', replace the first two characters with 'zz'.":
        'if s.startswith("ac"):\n    return "zz" + s[2:]',
}


def string_deletion_and_modification(item):
    rules = meta(item, "selected_rules")
    steps = "\n".join(f"# {i}. {rule}\n{REWRITES[rule]}" for i, rule in enumerate(rules, 1))
    step = ("def step(s):\n    \"\"\"The string after the first operation that applies, or None.\"\"\"\n"
            + "".join(f"    {line}\n" for line in steps.splitlines()) + "    return None\n\n\n")
    data = dict(s=meta(item, "initial_string"))
    run = "while (rewritten := step(s)) is not None:\n    s = rewritten\nprint(f'\"{s}\"')"
    return Solution(
        code=script(data, step + run),
        check=script(data, step + "assert step(answer.strip('\"')) is None, 'an operation still applies'\n"
                                  "print('check passed')"))


# Board games and grid walks ----------------------------------------------------------------------------

GAME_2048 = r"""
steps = {"u": (-1, 0), "d": (1, 0), "l": (0, -1), "r": (0, 1)}
n = len(grid)
r, c = start[0] - 1, start[1] - 1
for move in moves:
    nr, nc = r + steps[move][0], c + steps[move][1]
    if not (0 <= nr < n and 0 <= nc < n):
        continue  # the edge: the tile stays
    if grid[nr][nc] == 0:
        grid[nr][nc], grid[r][c] = grid[r][c], 0
    elif grid[nr][nc] == grid[r][c]:
        grid[nr][nc], grid[r][c] = 2 * grid[r][c], 0
    else:
        continue  # a different number: the tile stays
    r, c = nr, nc
print(grid)
"""
GAME_2048_CHECK = r"""
after = [int(v) for v in re.findall(r"\d+", answer)]
before = [v for row in grid for v in row]
assert len(after) == len(before), "not the whole grid"
assert sum(after) == sum(before), "slides and merges keep the total"
assert all(v == 0 or v & (v - 1) == 0 for v in after), "every tile is a power of two"
print("check passed")
"""


def game_2048(item):
    start = tuple(v + 1 for v in meta(item, "start_pos"))
    data = dict(grid=meta(item, "grid"), start=start, moves=meta(item, "moves"))
    return Solution(code=script(data, GAME_2048), check=script(data, GAME_2048_CHECK, "import re"))


REVERSI = r"""
grid = [list(row) for row in board]
n = len(grid)
for turn, (row, col) in enumerate(moves):
    player = "0" if turn % 2 == 0 else "1"  # black (0, you) moves first, then the players alternate
    other = "1" if player == "0" else "0"
    r0, c0 = row - 1, col - 1
    grid[r0][c0] = player
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            line, r, c = [], r0 + dr, c0 + dc
            while (dr or dc) and 0 <= r < n and 0 <= c < n and grid[r][c] == other:
                line.append((r, c))
                r, c = r + dr, c + dc
            if line and 0 <= r < n and 0 <= c < n and grid[r][c] == player:  # closed off by our own piece
                for fr, fc in line:
                    grid[fr][fc] = player
print(",".join(cell for row in grid for cell in row))
"""


def reversi(item):
    data = dict(board=meta(item, "board"), moves=[tuple(m) for m in meta(item, "moves")])
    return Solution(code=script(data, REVERSI))


BLOCKSWORLD = r"""
names = list(initial)
numbers = [name.removeprefix("stack") for name in names]
start = tuple(tuple(initial[s]) for s in names)
target = tuple(tuple(goal.get(s, [])) for s in names)  # stacks the goal leaves out end empty
parent = {start: None}
queue = deque([start])
while queue:  # breadth-first search over states: a shortest plan
    state = queue.popleft()
    if state == target:
        break
    for i, source in enumerate(state):
        for j in range(len(state)):
            if source and j != i:
                nxt = list(state)
                nxt[i], nxt[j] = source[:-1], state[j] + source[-1:]
                nxt = tuple(nxt)
                if nxt not in parent:
                    parent[nxt] = (state, f"Move {source[-1]} from {numbers[i]} to {numbers[j]}")
                    queue.append(nxt)
plan = []
while parent[state] is not None:
    state, move = parent[state]
    plan.append(move)
print("\\n".join(reversed(plan)))  # one line: the moves separated by \n
"""
BLOCKSWORLD_CHECK = r"""
stacks = {s.removeprefix("stack"): list(blocks) for s, blocks in initial.items()}
for move in answer.split("\\n"):
    block, source, destination = re.fullmatch(r"Move (\w) from (\w+) to (\w+)", move).groups()
    assert stacks[source] and stacks[source][-1] == block, f"{block} is not on top of stack {source}"
    stacks[destination].append(stacks[source].pop())
assert all(stacks[s.removeprefix("stack")] == goal.get(s, []) for s in initial), "the moves do not reach the goal"
print("check passed")
"""


def blocksworld(item):
    data = dict(initial=meta(item, "initial"), goal=meta(item, "goal"))
    return Solution(code=script(data, BLOCKSWORLD, "from collections import deque"),
                    check=script(data, BLOCKSWORLD_CHECK, "import re"))


# Constraint puzzles: backtracking searches -------------------------------------------------------------

LOGICAL_EQUATION = r"""
letters = [chr(ord("A") + i) for i in range(len(numbers))]
tests = []  # (left letter, right letter, test of their values)
for eq in equations:
    if m := re.fullmatch(r"([A-Z]) ([+-]) ([A-Z]) = (-?\d+)", eq):
        sign, total = (1 if m[2] == "+" else -1), int(m[4])
        tests.append((m[1], m[3], lambda x, y, sign=sign, total=total: x + sign * y == total))
    elif m := re.fullmatch(r"([A-Z]) = (\d+(?:\.\d+)?)([A-Z])", eq):
        factor = Fraction(m[2])
        tests.append((m[1], m[3], lambda x, y, factor=factor: x == factor * y))
    elif m := re.fullmatch(r"([A-Z]) ([<>]) ([A-Z])", eq):
        tests.append((m[1], m[3], (lambda x, y: x > y) if m[2] == ">" else (lambda x, y: x < y)))
    else:
        raise ValueError(f"cannot read {eq!r}")



def ties(x, placed):
    # How many equations tie x to letters already placed, then to any letter.
    links = [t for t in tests if x in t[:2]]
    return sum(set(t[:2]) - {x} <= placed for t in links), len(links)


# Order the letters so that each one is tied by equations to letters before it, then backtrack.
order = []
while len(order) < len(letters):
    order.append(max((x for x in letters if x not in order), key=lambda x: ties(x, set(order))))
due = [[t for t in tests if order[i] in t[:2] and set(t[:2]) <= set(order[:i + 1])] for i in range(len(order))]
value = {}


def search(i, unused):
    if i == len(order):
        return True
    for v in sorted(unused):
        value[order[i]] = v
        if all(test(value[a], value[b]) for a, b, test in due[i]) and search(i + 1, unused - {v}):
            return True
    del value[order[i]]
    return False


assert search(0, set(numbers))
print([value[x] for x in letters])
"""
LOGICAL_EQUATION_CHECK = r"""
values = json.loads(answer)
assert sorted(values) == sorted(numbers), "every number must be used once"
env = {chr(ord("A") + i): Fraction(v) for i, v in enumerate(values)}
for eq in equations:  # as Python: "K = 4.0J" -> "K == Fraction('4.0') * J"
    expr = re.sub(r"(\d+\.\d+)([A-Z])", r"Fraction('\1') * \2", eq).replace(" = ", " == ")
    assert eval(expr, {"Fraction": Fraction}, env), f"{eq} does not hold"
print("check passed")
"""


def logical_equation(item):
    data = dict(numbers=meta(item, "numbers"), equations=meta(item, "equations"))
    imports = "import re\nfrom fractions import Fraction"
    return Solution(code=script(data, LOGICAL_EQUATION, imports),
                    check=script(data, LOGICAL_EQUATION_CHECK, "import json\n" + imports))


SHELF_RULES = r"""
rules = []  # (kind, book, book or position)
for text in constraints:
    m = re.fullmatch(r"Book (\w) (must be placed in|cannot be placed in|must be to the left of|"
                     r"must be to the right of|must be adjacent to) (?:position|book) (\w+)\.", text)
    rules.append((m[2], m[1], int(m[3]) if m[3].isdigit() else m[3]))
"""
PERMUTATIONS_AND_COMBINATIONS = SHELF_RULES + r"""

def broken(kind, a, b, pos, filled):
    # Whether a rule already fails on a shelf filled from the left; unplaced books come after the placed ones.
    if kind == "must be placed in":
        return pos[a] != b if a in pos else b <= filled
    if kind == "cannot be placed in":
        return pos.get(a) == b
    if kind == "must be to the left of":
        return b in pos and (a not in pos or pos[a] > pos[b])
    if kind == "must be to the right of":
        return a in pos and (b not in pos or pos[a] < pos[b])
    if a in pos and b in pos:  # adjacent
        return abs(pos[a] - pos[b]) != 1
    placed = pos.get(a, pos.get(b))
    return placed is not None and placed < filled  # the partner could only come next


def arrange(shelf, pos):
    if len(shelf) == len(books):
        return shelf
    for book in books:
        if book not in pos:
            pos[book] = len(shelf) + 1
            if not any(broken(*rule, pos, len(shelf) + 1) for rule in rules):
                found = arrange(shelf + [book], pos)
                if found:
                    return found
            del pos[book]
    return None


print(json.dumps(arrange([], {})))
"""
PERMUTATIONS_AND_COMBINATIONS_CHECK = SHELF_RULES + r"""
shelf = json.loads(answer)
assert sorted(shelf) == sorted(books), "every book must be placed once"
at = {book: i + 1 for i, book in enumerate(shelf)}
holds = {
    "must be placed in": lambda a, b: at[a] == b,
    "cannot be placed in": lambda a, b: at[a] != b,
    "must be to the left of": lambda a, b: at[a] < at[b],
    "must be to the right of": lambda a, b: at[a] > at[b],
    "must be adjacent to": lambda a, b: abs(at[a] - at[b]) == 1,
}
for (kind, a, b), text in zip(rules, constraints):
    assert holds[kind](a, b), text
print("check passed")
"""


def permutations_and_combinations(item):
    sentences = {"fixed_position": "Book {} must be placed in position {}.",
                 "left_of": "Book {} must be to the left of book {}.",
                 "not_in_position": "Book {} cannot be placed in position {}.",
                 "right_of": "Book {} must be to the right of book {}.",
                 "adjacent_to": "Book {} must be adjacent to book {}."}
    constraints = [sentences[kind].format(a, b) for kind, a, b in meta(item, "constraints")]
    data = dict(books=meta(item, "items"), constraints=constraints)
    return Solution(code=script(data, PERMUTATIONS_AND_COMBINATIONS, "import json\nimport re"),
                    check=script(data, PERMUTATIONS_AND_COMBINATIONS_CHECK, "import json\nimport re"))


COMBINATORIAL_CALCULATION = r"""
@lru_cache(maxsize=None)
def reachable(i, j):
    # Every value numbers[i:j] can make (in order), each with one expression that makes it.
    if j - i == 1:
        return {Fraction(numbers[i]): str(numbers[i])}
    out = {}
    for k in range(i + 1, j):
        for a, x in reachable(i, k).items():
            x = x if k - i == 1 else f"({x})"
            for b, y in reachable(k, j).items():
                y = y if j - k == 1 else f"({y})"
                out.setdefault(a + b, f"{x}+{y}")
                out.setdefault(a - b, f"{x}-{y}")
                out.setdefault(a * b, f"{x}*{y}")
                if b:
                    out.setdefault(a / b, f"{x}/{y}")
    return out


def solve():
    n = len(numbers)
    for k in sorted(range(1, n), key=lambda k: max(k, n - k)):  # balanced splits have the smallest tables
        right = reachable(k, n)
        for a, x in reachable(0, k).items():
            x = x if k == 1 else f"({x})"
            wanted = [(target - a, "+"), (a - target, "-"), (a / target, "/")] + ([(target / a, "*")] if a else [])
            for b, op in wanted:
                if b in right and not (op == "/" and b == 0):
                    y = right[b] if n - k == 1 else f"({right[b]})"
                    return f"{x}{op}{y}"


tokens = re.findall(r"\d+|[-+*/()]", solve())
print("[" + ", ".join(tokens) + "]")
"""
COMBINATORIAL_CALCULATION_CHECK = r"""
tokens = [t.strip() for t in answer.strip("[]").split(",")]
assert [int(t) for t in tokens if t.isdigit()] == numbers, "the numbers must be used once each, in order"
value = eval("".join(f"Fraction({t})" if t.isdigit() else t for t in tokens), {"Fraction": Fraction})
assert value == target, f"the expression is {value}"
print("check passed")
"""


def combinatorial_calculation(item):
    data = dict(numbers=meta(item, "numbers"), target=meta(item, "target"))
    return Solution(
        code=script(data, COMBINATORIAL_CALCULATION,
                    "import re\nfrom fractions import Fraction\nfrom functools import lru_cache"),
        check=script(data, COMBINATORIAL_CALCULATION_CHECK, "from fractions import Fraction"))


OPPONENT_SEARCH = r"""

def deduce(i, used):
    # Opponent cards for rounds i..: all different, each giving the announced result.
    if i == len(played):
        return []
    for card in deck:
        if card not in used and result(played[i], card) == results[i]:
            rest = deduce(i + 1, used | {card})
            if rest is not None:
                return [card] + rest
    return None


print(",".join(deduce(0, set())))
"""
OPPONENT_CHECK = r"""

cards = answer.split(",")
assert len(cards) == len(played) and len(set(cards)) == len(cards), "one card per round, each once"
for mine, theirs, announced in zip(played, cards, results):
    assert theirs in deck and result(mine, theirs) == announced, (mine, theirs, announced)
print("check passed")
"""
CARD_GAMES = {  # each game's rules, from its question: the deck and the result of a round for your card
    "elements": r"""
generates = dict(re.findall(r"\w+ (\w) generates \w+ (\w)", generation))
overcomes = dict(re.findall(r"\w+ (\w) overcomes \w+ (\w)", overcoming))
deck = sorted(generates)


def result(mine, theirs):
    if generates[mine] == theirs:  # rule 1: the holder of the generating card loses
        return "loss"
    if overcomes[mine] == theirs:  # rule 2: the holder of the overcoming card wins
        return "win"
    return "draw"
""",
    "stick_game": r"""
beats = {cards[a]: cards[b] for a, b in re.findall(r"(\w+) (?:beats|eats) (\w+)", cycle)}
deck = sorted(beats)


def result(mine, theirs):
    if beats[mine] == theirs:
        return "win"
    if beats[theirs] == mine:
        return "loss"
    return "draw"  # the same card, or cards two steps apart
""",
    "animal": r"""
deck = ranking  # largest first


def result(mine, theirs):
    if mine == theirs:
        return "draw"
    if {mine, theirs} == {ranking[0], ranking[-1]}:  # the Mouse captures the Elephant
        return "win" if mine == ranking[-1] else "loss"
    return "win" if ranking.index(mine) < ranking.index(theirs) else "loss"
""",
}


def constrained_linear_arrangement(item):
    question, game = item["question"], meta(item, "game_type")
    if game == "elements":
        rules = dict(generation=found(r"Generation: (.*?)\.\n", question),
                     overcoming=found(r"Overcoming: (.*?)\.", question))
    elif game == "stick_game":
        rules = dict(cards={"Stick": "A", "Tiger": "B", "Chicken": "C", "Worm": "D"},
                     cycle=found(r"1\. (.*?), and so on", question))
    else:
        rules = dict(ranking=list("ABCDEFGH"))
    data = rules | dict(played=meta(item, "player_moves"), results=meta(item, "results"))
    imports = "import re" if game != "animal" else ""
    return Solution(code=script(data, CARD_GAMES[game] + OPPONENT_SEARCH, imports),
                    check=script(data, CARD_GAMES[game] + OPPONENT_CHECK, imports))


LETTER_LOGIC_DIAGRAM = r"""
grid = [row.split(",") for row in puzzle.splitlines()]
n = len(grid)
letters = [chr(ord("a") + i) for i in range(n)]


def consistent(g):
    lines = g + [list(col) for col in zip(*g)]
    return all(len(filled) == len(set(filled)) for filled in ([x for x in line if x] for line in lines))


def fill(g):
    # Fill the emptiest-choice cell first; False if some cell has no letter left.
    best = None
    for r in range(n):
        for c in range(n):
            if not g[r][c]:
                options = set(letters) - set(g[r]) - {g[i][c] for i in range(n)}
                if best is None or len(options) < len(best[2]):
                    best = (r, c, options)
    if best is None:
        return True
    r, c, options = best
    for x in sorted(options):
        g[r][c] = x
        if fill(g):
            return True
    g[r][c] = ""
    return False


given = {grid[r][n - 1 - r] for r in range(n)} - {""}
for d in sorted(given or letters):  # the minor diagonal's letter
    trial = [row[:] for row in grid]
    for r in range(n):
        trial[r][n - 1 - r] = d
    if consistent(trial) and fill(trial):
        break
print(trial)
"""
LETTER_LOGIC_DIAGRAM_CHECK = r"""
grid = [row.split(",") for row in puzzle.splitlines()]
solved = ast.literal_eval(answer)
n = len(grid)
kept = all(given in ("", solved[r][c]) for r, row in enumerate(grid) for c, given in enumerate(row))
assert kept, "a given letter changed"
letters = {chr(ord("a") + i) for i in range(n)}
assert all(set(row) == letters for row in solved), "a row misses a letter"
assert all(set(col) == letters for col in zip(*solved)), "a column misses a letter"
assert len({solved[r][n - 1 - r] for r in range(n)}) == 1, "the minor diagonal holds several letters"
print("check passed")
"""


def letter_logic_diagram(item):
    puzzle = found(r"empty cells blank\):\n\n(.*?)\n\n", item["question"])
    data = dict(puzzle=puzzle)
    return Solution(code=script(data, LETTER_LOGIC_DIAGRAM),
                    check=script(data, LETTER_LOGIC_DIAGRAM_CHECK, "import ast"))


PATH_PLAN = r"""
S = 20  # in units of 0.05 box edges lie on even numbers and the search lattice on odd ones: it never grazes an edge
rects = {name: [round(v * S) for v in box] for name, box in boxes.items()}
blocked = [rects[name] for name in avoid]
home, goal = tuple(round(v * S) for v in start), tuple(round(v * S) for v in end)


def is_open(p):  # inside the walls (|x|, |y| < 1.4) and outside every box to avoid
    return max(abs(p[0]), abs(p[1])) < 28 and not any(r[0] <= p[0] <= r[1] and r[2] <= p[1] <= r[3] for r in blocked)


def steps(p):
    if p[0] % 2 == 0:  # the start (on the 0.1 grid): onto the lattice diagonally
        yield from ((p[0] + dx, p[1] + dy) for dx in (-1, 1) for dy in (-1, 1))
        return
    for dx in (-2, 0, 2):
        for dy in (-2, 0, 2):  # a diagonal step may not cut the corner of a box
            if (dx or dy) and (dx == 0 or dy == 0 or (is_open((p[0] + dx, p[1])) and is_open((p[0], p[1] + dy)))):
                yield p[0] + dx, p[1] + dy
    if abs(goal[0] - p[0]) == 1 and abs(goal[1] - p[1]) == 1:
        yield goal


def walk(source, reached):
    # Breadth-first search on the lattice to the first point where reached(point).
    parent, queue = {source: None}, deque([source])
    while queue:
        p = queue.popleft()
        if reached(p):
            path = []
            while p is not None:
                path, p = [p] + path, parent[p]
            return path
        for q in steps(p):
            if q not in parent and is_open(q):
                parent[q] = p
                queue.append(q)
    raise ValueError("no way through")


path, pins = [home], [0]  # pins: the points inside the boxes to enter, which must stay waypoints
for name in enter:
    x0, x1, y0, y1 = rects[name]
    path += walk(path[-1], lambda p: x0 < p[0] < x1 and y0 < p[1] < y1)[1:]
    pins.append(len(path) - 1)
path += walk(path[-1], lambda p: p == goal)[1:]
pins.append(len(path) - 1)


def clear(p, q):
    # Whether segment pq misses every box to avoid: no overlap of extents, or all corners on one side of its line.
    for x0, x1, y0, y1 in blocked:
        if max(p[0], q[0]) >= x0 and min(p[0], q[0]) <= x1 and max(p[1], q[1]) >= y0 and min(p[1], q[1]) <= y1:
            sides = {(q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0]) for x in (x0, x1) for y in (y0, y1)}
            if not (min(sides) > 0 or max(sides) < 0):
                return False
    return True


waypoints = [home]
for a, b in zip(pins, pins[1:]):  # between pins, go straight to the farthest point in sight
    i = a
    while i < b:
        j = b
        while j > i + 1 and not clear(path[i], path[j]):
            j -= 1
        waypoints.append(path[j])
        i = j
print([start] + [(x / S, y / S) for x, y in waypoints[1:-1]] + [end])
"""
PATH_PLAN_CHECK = r"""
points = [tuple(Fraction(str(v)) for v in p) for p in ast.literal_eval(answer)]
assert points[0] == tuple(Fraction(str(v)) for v in start) and points[-1] == tuple(Fraction(str(v)) for v in end)
assert all(abs(x) < Fraction("1.4") and abs(y) < Fraction("1.4") for x, y in points), "a waypoint touches a wall"


def touches(p, q, box):
    # Liang-Barsky: clip the segment p + t (q - p), 0 <= t <= 1, to the closed box.
    x0, x1, y0, y1 = (Fraction(str(v)) for v in box)
    low, high = Fraction(0), Fraction(1)
    for start_, delta, lo, hi in ((p[0], q[0] - p[0], x0, x1), (p[1], q[1] - p[1], y0, y1)):
        if delta == 0:
            if not lo <= start_ <= hi:
                return False
        else:
            t1, t2 = sorted(((lo - start_) / delta, (hi - start_) / delta))
            low, high = max(low, t1), min(high, t2)
    return low <= high


segments = list(zip(points, points[1:]))
for name in avoid:
    assert not any(touches(p, q, boxes[name]) for p, q in segments), f"enters {name}"
for name in enter:
    assert any(touches(p, q, boxes[name]) for p, q in segments), f"never enters {name}"
print("check passed")
"""


def path_plan(item):
    data = dict(boxes={color: tuple(box) for color, box in meta(item, "boxes").items()},
                start=tuple(meta(item, "start")), end=tuple(meta(item, "end")),
                enter=meta(item, "enter"), avoid=meta(item, "avoid"))
    return Solution(code=script(data, PATH_PLAN, "from collections import deque"),
                    check=script(data, PATH_PLAN_CHECK, "import ast\nfrom fractions import Fraction"))


WRITERS = {f"symbench/{writer.__name__}": writer for writer in (
    number_multiply, letters, statistical_counting, matrix_transformation, pooling, light_puzzles,
    mahjong_pattern, string_insertion, pattern_recognition, string_synthesis, string_splitting,
    synthesis_decomposition, string_deletion_and_modification, game_2048, reversi, blocksworld,
    logical_equation, permutations_and_combinations, combinatorial_calculation,
    constrained_linear_arrangement, letter_logic_diagram, path_plan,
)}
