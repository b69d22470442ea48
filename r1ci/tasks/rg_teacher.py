"""The scripted teacher's program writers for Reasoning-Gym tasks, keyed by task name (conventions:
r1ci.tasks.teaching).

Most writers copy the question's values from the item's metadata where the question prints them the same
way, and otherwise cut them out of the question text (`found`); `script` lays out every script the same
way: the body's leading imports, the data block, a blank line, the computation. Not here: the other 39
Reasoning-Gym tasks (the 21 of the test split, and 18 train tasks that no short program solves from the
question alone, or whose answer is a grid of several lines where a script's answer is its last line).
"""

import math
import re
import textwrap

from r1ci.tasks.teaching import Solution, found, meta, script


def grid_rows(matrix) -> list[str]:
    """A matrix's rows as the question prints them: numbers separated by spaces."""
    return [" ".join(map(str, row)) for row in matrix]


# Numbers and arithmetic ------------------------------------------------------------------------------


def base_conversion(item):
    source, target = meta(item, "source_base"), meta(item, "target_base")
    # The question names bases 2, 8 and 16 in words ("the hexadecimal number 25e"), others as "base-7".
    written = lambda base: f"{base}" if f"base-{base}" in item["question"] else None
    data = {"number": str(item["metadata"]["source_repr"])}
    data |= {"source_base": source} if written(source) else {}
    data |= {"target_base": target} if written(target) else {}
    body = [] if written(source) else [f"source_base = {source}  # {BASE_NAMES.get(source, '')}"]
    body += [] if written(target) else [f"target_base = {target}  # {BASE_NAMES.get(target, '')}"]
    return Solution(code=script(data, "\n".join(body) + textwrap.dedent("""
        value = int(number, source_base)
        digits = '0123456789abcdefghijklmnopqrstuvwxyz'
        out = ''
        while value:
            out = digits[value % target_base] + out
            value //= target_base
        print(out or '0')""")))


BASE_NAMES = {2: "binary", 8: "octal", 10: "decimal", 16: "hexadecimal"}


def basic_arithmetic(item):
    return Solution(code=script({"expression": item["metadata"]["expression"]}, """
        from fractions import Fraction

        result = eval(expression.replace('/', '*Fraction(1)/'))
        print(result.numerator if result.denominator == 1 else float(result))"""))


def prime_factorization(item):
    n = meta(item, "number")
    return Solution(
        code=script({"n": n}, """
            factors, d = [], 2
            while d * d <= n:
                while n % d == 0:
                    factors.append(d)
                    n //= d
                d += 1
            if n > 1:
                factors.append(n)
            print(' × '.join(map(str, factors)))"""),
        check=f"import math\nfactors = [int(f) for f in answer.split('×')]\n"
              f"assert math.prod(factors) == {n}, 'product differs'\n"
              "assert all(all(f % d for d in range(2, int(f ** 0.5) + 1)) and f > 1 for f in factors), 'not prime'\n"
              "print('check passed')")


def number_sorting(item):
    data = {"numbers": meta(item, "original_numbers"), "descending": meta(item, "direction") == "descending"}
    return Solution(code=script(data, "ordered = sorted(numbers, key=float, reverse=descending)\nprint(ordered)"))


def products(item):
    expression = item["metadata"]["expression"]
    return Solution(code=script({"expression": expression}, """
        import math

        print(math.prod(int(factor) for factor in expression.split('*')))"""),
                    worked=f"{expression.replace('*', '×')} = {math.prod(int(f) for f in expression.split('*'))}.",
                    check=script({"expression": expression}, """
                        first, *rest = [int(factor) for factor in expression.split('*')]
                        value = int(answer)
                        if 0 in rest or first == 0:
                            assert value == 0, 'a factor is 0'
                        else:
                            for factor in rest:  # divide the other factors back out
                                assert value % factor == 0, f'{factor} does not divide {value}'
                                value //= factor
                            assert value == first, 'the quotient is not the first factor'
                        print('check passed')"""))


def decimal_chain_sum(item):
    expression = item["metadata"]["expression"]
    return Solution(code=script({"expression": expression}, """
        from decimal import Decimal

        # Decimal adds the written digits exactly, where floats would leave ...0000001 tails
        terms = expression.replace('- ', '-').replace('+ ', '').split()
        print(sum(Decimal(term) for term in terms))"""))


def decimal_arithmetic(item):
    expression = found(r"\n(.*) = \?", item["question"])
    return Solution(code=script({"expression": expression, "significant_digits": 12}, """
        import re
        from decimal import ROUND_HALF_UP, Decimal, getcontext

        getcontext().prec = significant_digits
        getcontext().rounding = ROUND_HALF_UP
        # every number becomes a Decimal, so each step is rounded to the significant digits the question asks
        exact = re.sub(r'(\\d+(?:\\.\\d+)?)', r"Decimal('\\1')", expression)
        print(eval(exact))"""))


def power_function(item):
    base, exponent = re.search(r"Compute (\S+)\^(\S+)\.", item["question"]).groups()
    value = float(base) ** int(exponent)
    return Solution(code=script({"base": float(base), "exponent": int(exponent)}, """
        value = base ** exponent
        print(f'{value:.2e}')  # three significant figures in e notation"""),
                    worked=f"{base}^{exponent} = {value:.6g}, which to three significant figures is {value:.2e}.")


def bitwise_arithmetic(item):
    problem = item["metadata"]["problem"]
    return Solution(code=script({"problem": problem}, """
        # Python integers are arbitrary precision and signed, as the question assumes; hex() writes -0x3
        print(hex(eval(problem)))"""))


def complex_arithmetic(item):
    a, op, b = re.search(r"\((.+?)\) (\S) \((.+?)\)", item["question"]).groups()
    return Solution(code=script({"a": a, "op": op, "b": b}, """
        def parse(text):
            return complex(text.replace(' ', '').replace('i', 'j'))

        x, y = parse(a), parse(b)
        z = {'+': x + y, '-': x - y, '×': x * y, '÷': x / y}[op]
        real, imag = round(z.real, 6) + 0.0, round(z.imag, 6) + 0.0  # drop float noise and -0.0
        if imag == 0:
            print(real)
        elif real == 0:
            print(f'{imag}i')
        else:
            print(f"{real} {'+' if imag > 0 else '-'} {abs(imag)}i")"""))


def simple_equations(item):
    equation, variable = item["metadata"]["equation"], item["metadata"]["variable"]
    return Solution(code=script({"equation": equation, "variable": variable}, """
        from fractions import Fraction

        left, right = equation.split('=')

        def f(x):  # left minus right; linear in the variable
            scope = {variable: Fraction(x)}
            return eval(left, scope) - eval(right, scope)

        root = -f(0) / (f(1) - f(0))
        print(root.numerator if root.denominator == 1 else float(root))"""),
                    check=script({"equation": equation, "variable": variable}, """
        left, right = equation.split('=')
        scope = {variable: int(answer)}
        assert eval(left, scope) == eval(right, scope), 'the two sides differ'
        print('check passed')"""))


def count_bits(item):
    n = meta(item, "number")
    ones = bin(n).count("1")
    return Solution(code=script({"n": n}, "print(bin(n).count('1'))"),
                    check=script({"n": n}, """
                        count, m = 0, n
                        while m:
                            m &= m - 1  # clears the lowest 1 bit
                            count += 1
                        assert count == int(answer), f'{count} ones'
                        print('check passed')"""),
                    worked=f"{n} in binary is {bin(n)[2:]}, which has {ones} ones. The answer is {ones}.")


def count_primes(item):
    start, end = meta(item, "start"), meta(item, "end")
    return Solution(code=script({"start": start, "end": end}, """
        sieve = [True] * (end + 1)
        sieve[:2] = [False] * min(2, end + 1)
        for p in range(2, int(end ** 0.5) + 1):
            if sieve[p]:
                sieve[p * p::p] = [False] * len(range(p * p, end + 1, p))
        print(sum(sieve[start:end + 1]))"""),
                    check=script({"start": start, "end": end}, """
                        def is_prime(n):
                            return n > 1 and all(n % d for d in range(2, int(n ** 0.5) + 1))

                        count = sum(is_prime(n) for n in range(start, end + 1))
                        assert count == int(answer), f'trial division counts {count}'
                        print('check passed')"""))


def number_filtering(item):
    numbers, value = meta(item, "original_numbers"), item["metadata"]["filter_value"]
    keep, larger = item["question"].startswith("Keep"), " larger than " in item["question"]
    return Solution(code=script({"numbers": numbers, "threshold": value, "keep": keep, "larger": larger}, """
        def matches(x):
            return float(x) > float(threshold) if larger else float(x) < float(threshold)

        print([x for x in numbers if matches(x) == keep])  # the strings as given, in their order"""))


def number_format(item):
    candidates = meta(item, "formatted_candidates")
    largest = meta(item, "size") == "largest"
    values = [float(c.replace(",", "")) for c in candidates]
    return Solution(code=script({"candidates": candidates, "largest": largest}, """
        values = [float(c.replace(',', '')) for c in candidates]
        print(max(values) if largest else min(values))"""),
                    worked=f"Written plainly the candidates are {', '.join(map(str, values))}; the "
                           f"{'largest' if largest else 'smallest'} is {max(values) if largest else min(values)}.")


def leg_counting(item):
    from reasoning_gym.arithmetic.leg_counting import ANIMALS

    animals = meta(item, "animals")
    legs = {name: ANIMALS[name] for name in animals}
    total = sum(count * legs[name] for name, count in animals.items())
    parts = ", ".join(f"{count} × {legs[name]}" for name, count in animals.items())
    return Solution(code=script({"animals": animals}, f"""
        legs = {legs!r}  # legs per animal
        print(sum(count * legs[name] for name, count in animals.items()))"""),
                    worked=f"Legs per animal: {', '.join(f'{n} {k}' for n, k in legs.items())}. "
                           f"Total: {parts} = {total}.")


# Strings and words -----------------------------------------------------------------------------------


def caesar_cipher(item):
    cipher = item["metadata"]["cipher_text"]
    shift = meta(item, "rotation")
    return Solution(code=script({"cipher": cipher}, """
        # English letter frequencies (percent); the right shift makes the text look most like English
        freq = dict(zip('ETAOINSHRDLCUMWFGYPBVKJXQZ',
                        [12.7, 9.1, 8.2, 7.5, 7.0, 6.7, 6.3, 6.1, 6.0, 4.3, 4.0, 2.8, 2.8, 2.4, 2.4, 2.2,
                         2.0, 2.0, 1.9, 1.5, 1.0, 0.8, 0.15, 0.15, 0.1, 0.07]))
        common = {'THE', 'AND', 'OF', 'TO', 'A', 'IN', 'IS', 'IT', 'YOU', 'THAT', 'HE', 'WAS', 'FOR', 'ON',
                  'ARE', 'WITH', 'AS', 'I', 'HIS', 'THEY', 'BE', 'AT', 'ONE', 'HAVE', 'THIS', 'FROM', 'OR',
                  'HAD', 'BY', 'NOT', 'BUT', 'WHAT', 'ALL', 'WERE', 'WE', 'WHEN', 'YOUR', 'CAN', 'SAID',
                  'THERE', 'AN', 'EACH', 'WHICH', 'SHE', 'DO', 'HOW', 'THEIR', 'IF', 'WILL', 'NO', 'SO',
                  'MR', 'MY', 'ME', 'HER', 'HIM', 'BEEN', 'OUT', 'UP', 'ANY', 'THEN', 'THEM', 'INTO'}

        def shift_back(text, k):
            return ''.join(chr((ord(c) - 65 - k) % 26 + 65) if c.isalpha() else c for c in text)

        def score(text):
            words = text.split()
            return sum(freq[c] for c in text if c.isalpha()) / len(text) + 5 * sum(w in common for w in words)

        print(max((shift_back(cipher, k) for k in range(26)), key=score))"""),
                    check=script({"cipher": cipher}, """
                        # the answer must encrypt back to the cipher text with a single shift
                        shifts = {(ord(c) - ord(p)) % 26 for p, c in zip(answer, cipher) if c.isalpha()}
                        assert len(answer) == len(cipher) and len(shifts) == 1, 'not one Caesar shift of the text'
                        assert all((p == ' ') == (c == ' ') for p, c in zip(answer, cipher)), 'spacing differs'
                        print('check passed')"""),
                    worked=f"Shifting every letter back by {shift} turns the cipher into English: "
                           f"{item['metadata']['clear_text']}.")


def letter_counting(item):
    letter, text = item["metadata"]["target_letter"], " ".join(meta(item, "span"))
    count = text.lower().count(letter)
    hits = [w for w in text.split() if letter in w.lower()]
    return Solution(code=script({"letter": letter, "text": text}, "print(text.lower().count(letter.lower()))"),
                    check=script({"letter": letter, "text": text}, """
                        count = sum(1 for word in text.split() for c in word if c in (letter.lower(), letter.upper()))
                        assert count == int(answer), f'{count} by word'
                        print('check passed')"""),
                    worked=f'Words containing "{letter}": '
                           + ", ".join(f"{w} ({w.lower().count(letter)})" for w in hits) + f". Total: {count}.")


def word_sequence_reversal(item):
    words = found(r"Reverse this list of words: (.*?)\n", item["question"])
    return Solution(code=script({"words": words}, "print(', '.join(reversed(words.split(', '))))"),
                    worked=f"Reading the list from the end: {', '.join(reversed(words.split(', ')))}.")


# Grids, graphs and searches --------------------------------------------------------------------------


def spiral_matrix(item):
    return Solution(code=script({"rows": grid_rows(meta(item, "matrix"))}, """
        matrix = [row.split() for row in rows]
        out = []
        while matrix:
            out += matrix.pop(0)                        # top row, left to right
            matrix = [list(r) for r in zip(*matrix)][::-1]  # turn the rest so its right column is on top
        print(' '.join(out))"""))


def rotten_oranges(item):
    return Solution(code=script({"rows": grid_rows(meta(item, "matrix"))}, """
        grid = [list(map(int, row.split())) for row in rows]
        n, m = len(grid), len(grid[0])
        rotten = [(i, j) for i in range(n) for j in range(m) if grid[i][j] == 2]
        minutes = 0
        while True:  # one round of the breadth-first spread per minute
            fresh = [(a, b) for i, j in rotten for a, b in ((i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1))
                     if 0 <= a < n and 0 <= b < m and grid[a][b] == 1]
            if not fresh:
                break
            for a, b in fresh:
                grid[a][b] = 2
            rotten, minutes = list(set(fresh)), minutes + 1
        print(-1 if any(1 in row for row in grid) else minutes)"""))


def largest_island(item):
    return Solution(code=script({"rows": grid_rows(meta(item, "grid"))}, """
        grid = [list(map(int, row.split())) for row in rows]
        n, m = len(grid), len(grid[0])
        seen, best = set(), 0
        for i in range(n):
            for j in range(m):
                if grid[i][j] == 1 and (i, j) not in seen:
                    stack, area = [(i, j)], 0
                    seen.add((i, j))
                    while stack:  # flood the island
                        a, b = stack.pop()
                        area += 1
                        for c, d in ((a + 1, b), (a - 1, b), (a, b + 1), (a, b - 1)):
                            if 0 <= c < n and 0 <= d < m and grid[c][d] == 1 and (c, d) not in seen:
                                seen.add((c, d))
                                stack.append((c, d))
                    best = max(best, area)
        print(best)"""))


def maze(item):
    grid = meta(item, "grid")
    start, goal, wall = (item["metadata"][k] for k in ("start", "goal", "wall"))
    return Solution(code=script({"maze": grid, "start": start, "goal": goal, "wall": wall}, """
        from collections import deque

        cells = {(r, c): ch for r, row in enumerate(maze) for c, ch in enumerate(row)}
        begin = next(p for p, ch in cells.items() if ch == start)
        dist, queue = {begin: 0}, deque([begin])
        while queue:  # breadth first: the first time the goal is reached is the shortest
            r, c = queue.popleft()
            if cells[r, c] == goal:
                print(dist[r, c])
                break
            for nxt in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                if cells.get(nxt, wall) != wall and nxt not in dist:
                    dist[nxt] = dist[r, c] + 1
                    queue.append(nxt)"""))


def game_of_life_halting(item):
    board = found(r"Initial board:\n(.*?)\n\n", item["question"])
    rows = [line.strip(" []") for line in board.splitlines()]
    steps = int(found(r"halt at or before (\d+) steps", item["question"]))
    return Solution(code=script({"rows": rows, "steps": steps}, """
        grid = [list(map(int, row.split())) for row in rows]
        n, m = len(grid), len(grid[0])
        halted = not any(map(any, grid))
        for _ in range(steps):
            if halted:
                break
            counts = [[sum(grid[(i + di) % n][(j + dj) % m] for di in (-1, 0, 1) for dj in (-1, 0, 1))
                       - grid[i][j] for j in range(m)] for i in range(n)]  # Moore neighbours, wrapping
            grid = [[int(counts[i][j] == 3 or (grid[i][j] and counts[i][j] == 2)) for j in range(m)]
                    for i in range(n)]
            halted = not any(map(any, grid))
        print(halted)"""))


def course_schedule(item):
    total = int(found(r"a total of (\d+) courses", item["question"]))
    prerequisites = meta(item, "prerequisites")
    return Solution(code=script({"courses": total, "prerequisites": prerequisites}, """
        # Kahn's algorithm: keep taking a course whose prerequisites are all taken
        needs = {c: 0 for c in range(courses)}
        unlocks = {c: [] for c in range(courses)}
        for course, before in prerequisites:
            needs[course] += 1
            unlocks[before].append(course)
        ready = [c for c in needs if needs[c] == 0]
        taken = 0
        while ready:
            course = ready.pop()
            taken += 1
            for nxt in unlocks[course]:
                needs[nxt] -= 1
                if needs[nxt] == 0:
                    ready.append(nxt)
        print(taken == courses)"""),
                    check=script({"courses": total, "prerequisites": prerequisites}, """
        # depth first: a prerequisite reached again while still open is a cycle; otherwise the finishing
        # order is a valid order to take the courses in
        before = {c: [b for a, b in prerequisites if a == c] for c in range(courses)}
        state, order, cycle = {}, [], False

        def visit(c):
            global cycle
            state[c] = 'open'
            for b in before[c]:
                if state.get(b) == 'open':
                    cycle = True
                elif b not in state:
                    visit(b)
            state[c] = 'done'
            order.append(c)

        for c in range(courses):
            if c not in state:
                visit(c)
        if answer == 'True':
            assert not cycle and all(order.index(b) < order.index(a) for a, b in prerequisites), 'no valid order'
        else:
            assert answer == 'False' and cycle, 'the courses can be ordered'
        print('check passed')"""))


def jugs(item):
    puzzle = meta(item, "puzzle")
    capacities = {chr(65 + i): c for i, c in enumerate(puzzle["jug_capacities"])}
    data = {"capacities": capacities, "target": puzzle["target"]}
    return Solution(code=script(data, """
        from collections import deque
        import json

        names = list(capacities)
        cap = [capacities[n] for n in names]

        def moves(state):
            for i, n in enumerate(names):
                yield f'fill {n}', state[:i] + (cap[i],) + state[i + 1:]
                yield f'empty {n}', state[:i] + (0,) + state[i + 1:]
                for j, o in enumerate(names):
                    if i != j:
                        poured = min(state[i], cap[j] - state[j])
                        s = list(state)
                        s[i] -= poured
                        s[j] += poured
                        yield f'pour {n}->{o}', tuple(s)

        start = (0,) * len(names)
        plan, queue = {start: []}, deque([start])
        while queue:  # breadth first over the jugs' contents
            state = queue.popleft()
            if target in state:
                print(json.dumps(plan[state]))
                break
            for move, nxt in moves(state):
                if nxt not in plan:
                    plan[nxt] = plan[state] + [move]
                    queue.append(nxt)"""),
                    check=script(data, """
        import json

        water = {n: 0 for n in capacities}
        for move in json.loads(answer):  # replay the moves
            verb, arg = move.split()
            if verb == 'fill':
                water[arg] = capacities[arg]
            elif verb == 'empty':
                water[arg] = 0
            else:
                a, b = arg.split('->')
                poured = min(water[a], capacities[b] - water[b])
                water[a] -= poured
                water[b] += poured
        assert target in water.values(), f'no jug holds {target}: {water}'
        print('check passed')"""))


def quantum_lock(item):
    question = item["question"]
    start, light = re.search(r"Start: (-?\d+) \((\w+)\)", question).groups()
    data = {"start": int(start), "light": light, "target": int(found(r"Target: (-?\d+)", question)),
            "buttons": re.findall(r"^[A-Z]: .*$", question, re.M)}
    return Solution(code=script(data, """
        from collections import deque
        import re

        ops = {'Add': lambda v, k: v + k, 'Subtract': lambda v, k: v - k, 'Multiply': lambda v, k: v * k}
        parsed = [re.match(r'(\\w): (\\w+) (-?\\d+) \\(when (\\w+)\\)', b).groups() for b in buttons]
        begin = (start, light)
        path, queue = {begin: []}, deque([begin])
        while queue:  # breadth first over (number, light)
            value, colour = state = queue.popleft()
            if value == target:
                print(' → '.join(path[state]))
                break
            for name, op, k, when in parsed:
                if when in ('any', colour) and abs(value) <= 10 * abs(target) + 100:
                    nxt = (ops[op](value, int(k)), 'green' if colour == 'red' else 'red')
                    if nxt not in path:
                        path[nxt] = path[state] + [name]
                        queue.append(nxt)"""),
                    check=script(data, """
        import re

        ops = {'Add': lambda v, k: v + k, 'Subtract': lambda v, k: v - k, 'Multiply': lambda v, k: v * k}
        table = {b[0]: re.match(r'\\w: (\\w+) (-?\\d+) \\(when (\\w+)\\)', b).groups() for b in buttons}
        value, colour = start, light
        for name in answer.split(' → '):  # replay the presses
            op, k, when = table[name]
            assert when in ('any', colour), f'{name} does nothing while the light is {colour}'
            value, colour = ops[op](value, int(k)), 'green' if colour == 'red' else 'red'
        assert value == target, f'the presses reach {value}'
        print('check passed')"""))


def ab(item):
    program = found(r"consider the following program:\s+(\S.*?)\n", item["question"])
    return Solution(code=script({"program": program}, """
        rules = {('A#', '#A'): [], ('A#', '#B'): ['#B', 'A#'], ('B#', '#A'): ['#A', 'B#'], ('B#', '#B'): []}
        tokens = program.split()
        changed = True
        while changed:  # rewrite the first facing pair until none is left
            changed = False
            for i in range(len(tokens) - 1):
                pair = (tokens[i], tokens[i + 1])
                if pair in rules:
                    tokens[i:i + 2] = rules[pair]
                    changed = True
                    break
        print(' '.join(tokens))"""),
                    check=script({"program": program}, """
        before, after = program.split(), answer.split()
        assert not any(a[1] == '#' and b[0] == '#' for a, b in zip(after, after[1:])), 'a facing pair is left'
        for x in 'AB':  # each rule keeps (x# count) - (#x count)
            assert before.count(x + '#') - before.count('#' + x) == after.count(x + '#') - after.count('#' + x)
        print('check passed')"""))


def bf(item):
    program = item["metadata"]["bf_program"]
    return Solution(code=script({"program": program}, """
        jump, stack = {}, []
        for i, c in enumerate(program):  # match the brackets once
            if c == '[':
                stack.append(i)
            elif c == ']':
                j = stack.pop()
                jump[i], jump[j] = j, i
        tape, ptr, pc, out = [0] * 30000, 0, 0, []
        while pc < len(program):
            c = program[pc]
            if c == '>':
                ptr += 1
            elif c == '<':
                ptr -= 1
            elif c == '+':
                tape[ptr] = (tape[ptr] + 1) % 256
            elif c == '-':
                tape[ptr] = (tape[ptr] - 1) % 256
            elif c == '.':
                out.append(chr(tape[ptr]))
            elif c == '[' and tape[ptr] == 0 or c == ']' and tape[ptr] != 0:
                pc = jump[pc]
            pc += 1
        print(''.join(out))"""))


# Strings, sets and counting puzzles ------------------------------------------------------------------


def isomorphic_strings(item):
    s, t = meta(item, "words")
    pairs = list(dict.fromkeys(zip(s, t)))
    clash = next((f"'{a}' would map to both '{b}' and '{d}'" if a == c else f"'{a}' and '{c}' would both map to '{b}'"
                  for i, (a, b) in enumerate(pairs) for c, d in pairs[i + 1:] if (a == c) != (b == d)), None)
    verdict = ("the lengths differ, so False" if len(s) != len(t) else f"{clash}, so False" if clash
               else "every character maps to one character and none is shared, so True")
    return Solution(code=script({"s": s, "t": t}, """
        # one-to-one: each character of s always meets the same character of t, and no two share one
        print(len(s) == len(t) and len(set(s)) == len(set(t)) == len(set(zip(s, t))))"""),
                    worked=f"Pairing '{s}' with '{t}' position by position: "
                           + ", ".join(f"{a}→{b}" for a, b in pairs) + f". Here {verdict}.")


def ransom_note(item):
    note, magazine = item["metadata"]["ransom_note"], item["metadata"]["magazine"]
    needs = {c: (note.count(c), magazine.count(c)) for c in sorted(set(note))}
    short = [c for c, (want, have) in needs.items() if have < want]
    return Solution(code=script({"note": note, "magazine": magazine}, """
        from collections import Counter

        print(not Counter(note) - Counter(magazine))  # nothing the note needs more often than the magazine has"""),
                    worked="Letters the note needs (needed/in the magazine): "
                           + ", ".join(f"{c} {want}/{have}" for c, (want, have) in needs.items())
                           + (f". The magazine is short of {', '.join(short)}, so False." if short
                              else ". The magazine has enough of each, so True."))


def group_anagrams(item):
    return Solution(code=script({"words": meta(item, "words")}, """
        import json

        groups = {}
        for word in words:
            groups.setdefault(''.join(sorted(word)), []).append(word)
        print(json.dumps(sorted(sorted(g) for g in groups.values())))"""),
                    check=script({"words": meta(item, "words")}, """
        import json

        groups = json.loads(answer)
        assert sorted(w for g in groups for w in g) == sorted(words), 'not a partition of the words'
        keys = [{''.join(sorted(w)) for w in g} for g in groups]
        assert all(len(k) == 1 for k in keys), 'a group mixes letters'
        assert len({k.pop() for k in keys}) == len(groups), 'anagrams split across groups'
        print('check passed')"""))


def binary_alternation(item):
    string = item["metadata"]["string"]
    n, ones = len(string), string.count("1")
    options = {p: sum(a != b for a, b in zip(string, p)) // 2 for p in (("01" * n)[:n], ("10" * n)[:n])
               if p.count("1") == ones}
    best = min(options.values(), default=-1)
    reason = ("; ".join(f"against {p}, {2 * k} places differ, so {k} swaps" for p, k in options.items())
              if options else "no alternating string has these counts, so it is impossible")
    return Solution(code=script({"s": string}, """
        ones = s.count('1')
        best = -1
        for pattern in (('01' * len(s))[:len(s)], ('10' * len(s))[:len(s)]):  # the two alternating strings
            if pattern.count('1') == ones:
                swaps = sum(a != b for a, b in zip(s, pattern)) // 2  # each swap fixes two places
                best = swaps if best < 0 else min(best, swaps)
        print(best)"""),
                    worked=f"The string has {n - ones} zeros and {ones} ones; {reason}. The answer is {best}.")


def palindrome_generation(item):
    letters = meta(item, "letters")
    return Solution(code=script({"letters": letters}, """
        from collections import Counter

        counts = Counter(letters)
        half = ''.join(c * (k // 2) for c, k in sorted(counts.items()))
        middle = ''.join(c for c, k in counts.items() if k % 2)  # at most one letter can be odd
        print(half + middle + half[::-1])"""),
                    worked=palindrome_worked(letters),
                    check=script({"letters": letters}, """
        from collections import Counter

        assert answer == answer[::-1], 'not a palindrome'
        assert Counter(answer) == Counter(letters), 'other letters'
        print('check passed')"""))


def palindrome_worked(letters):
    from collections import Counter

    counts = Counter(letters)
    half = "".join(c * (k // 2) for c, k in sorted(counts.items()))
    middle = "".join(c for c, k in counts.items() if k % 2)
    return (f"Letter counts: {', '.join(f'{c} {k}' for c, k in sorted(counts.items()))}. Half of each pair on the "
            f"left ({half})" + (f", the odd {middle} in the middle" if middle else "")
            + f", then the mirror: {half + middle + half[::-1]}.")


def string_manipulation(item):
    rules = meta(item, "selected_rules")
    lines = "\n".join(f"    {STRING_RULES[rule]},  # {n}. {rule}" for n, rule in enumerate(rules, 1))
    body = textwrap.dedent("""
        # each rule gives the new string, or None where it does not apply
        rules = [
            RULES
        ]
        states = [string]
        while True:
            new = next((out for rule in rules if (out := rule(states[-1])) is not None), None)
            if new is None or new in states:  # nothing applies, or a repeated state (discarded)
                break
            states.append(new)
        print(states[-1])""").replace("    RULES", lines)
    return Solution(code=script({"string": item["metadata"]["string"]}, body))


STRING_RULES = {  # the rule texts reasoning-gym draws from, as code
    "If the string prefix is 'ab', replace it with 'ca'.": "lambda s: 'ca' + s[2:] if s.startswith('ab') else None",
    "If the string suffix is 'ac', replace it with 'cb'.": "lambda s: s[:-2] + 'cb' if s.endswith('ac') else None",
    "If the string prefix is 'bc', delete the first two characters and append 'aa' to the end.":
        "lambda s: s[2:] + 'aa' if s.startswith('bc') else None",
    "If the string suffix is 'bb', delete the last two characters.": "lambda s: s[:-2] if s.endswith('bb') else None",
    "If the string prefix is 'cb', replace it with 'aa' and delete the last character.":
        "lambda s: 'aa' + s[2:-1] if s.startswith('cb') else None",
    "If the string prefix is 'ca', replace it with 'bb' and append 'c' to the end.":
        "lambda s: 'bb' + s[2:] + 'c' if s.startswith('ca') else None",
    "If the string suffix is 'cc', replace it with 'b' and prepend 'a' to the start.":
        "lambda s: 'a' + s[:-2] + 'b' if s.endswith('cc') else None",
    "If the string prefix is 'aa', remove the first character.": "lambda s: s[1:] if s.startswith('aa') else None",
    "If the string contains 'abc', replace the first occurrence with 'cab'.":
        "lambda s: s.replace('abc', 'cab', 1) if 'abc' in s else None",
    "If the string contains 'bca', delete the first occurrence entirely.":
        "lambda s: s.replace('bca', '', 1) if 'bca' in s else None",
    "If the string ends with 'ba', replace it with 'ab'.": "lambda s: s[:-2] + 'ab' if s.endswith('ba') else None",
    "If the string starts with 'cc', remove the first two characters.":
        "lambda s: s[2:] if s.startswith('cc') else None",
    "If the string contains 'acb', replace the first occurrence with its reverse ('bca').":
        "lambda s: s.replace('acb', 'bca', 1) if 'acb' in s else None",
    "If the string ends with 'ca', remove the last character.": "lambda s: s[:-1] if s.endswith('ca') else None",
    "If the string starts with 'bb', remove the second character.":
        "lambda s: s[0] + s[2:] if s.startswith('bb') else None",
    "If the string ends with 'aa', replace it with 'cc'.": "lambda s: s[:-2] + 'cc' if s.endswith('aa') else None",
    "If the string contains 'ca' (not at the start), remove the first occurrence found after the first character.":
        "lambda s: s[:i] + s[i + 2:] if (i := s.find('ca', 1)) != -1 else None",
    "If the string contains an even number of 'b's (and at least one 'b'), append 'ab' at the end.":
        "lambda s: s + 'ab' if s.count('b') and s.count('b') % 2 == 0 else None",
    "If the string length is greater than 15, remove the middle character.":
        "lambda s: s[:len(s) // 2] + s[len(s) // 2 + 1:] if len(s) > 15 else None",
    "If the string starts with 'ac', replace the first two characters with 'zz'.":
        "lambda s: 'zz' + s[2:] if s.startswith('ac') else None",
}


# Algebra ---------------------------------------------------------------------------------------------


def polynomial_multiplication(item):
    expression = item["metadata"]["polynomial_expr"]
    return Solution(code=script({"expression": expression}, """
        from sympy import expand, sympify

        print(expand(sympify(expression)))"""),
                    check=script({"expression": expression}, """
        import random
        import re
        from fractions import Fraction

        names = sorted(set(re.findall(r'[a-z]', expression)))
        for _ in range(5):  # the two sides agree at random points, in exact arithmetic
            point = {n: Fraction(random.randint(-9, 9)) for n in names}
            assert eval(expression, point) == eval(answer, dict(point)), f'they differ at {point}'
        print('check passed')"""))


def polynomial_equations(item):
    expression, variable = item["metadata"]["polynomial_expr"], item["metadata"]["variable"]
    return Solution(code=script({"expression": expression, "variable": variable}, """
        from sympy import Symbol, solve, sympify

        x = Symbol(variable)
        roots = sorted(round(float(r), 4) for r in solve(sympify(expression, locals={variable: x}), x) if r.is_real)
        print(', '.join(map(str, roots)))"""),
                    check=script({"expression": expression, "variable": variable}, """
        roots = [float(r) for r in answer.split(',')] if answer.strip() else []
        f = lambda v: eval(expression, {variable: v})
        scale = max(1.0, *(abs(f(r + d)) for r in roots for d in (1e-4, -1e-4)))
        for r in roots:  # each root: f changes sign or nearly vanishes within the rounding
            assert f(r - 1e-4) * f(r + 1e-4) <= 0 or abs(f(r)) < 1e-6 * scale, f'{r} is not a root'
        print('check passed')"""))


def countdown(item):
    numbers, target = meta(item, "numbers"), meta(item, "target")
    return Solution(code=script({"numbers": numbers, "target": target}, """
        from fractions import Fraction

        def text(tree):  # a tree is a number or (op, left, right)
            if not isinstance(tree, tuple):
                return str(tree)
            op, left, right = tree
            wrap = lambda t, tight: f'({text(t)})' if isinstance(t, tuple) and tight else text(t)
            return f"{wrap(left, op in '*/')} {op} {wrap(right, op != '+')}"

        def search(items, whole, failed):
            # items: (value, tree) pairs; combine two at a time until one is left. First try with whole
            # non-negative steps only (how people play), then with any fractions
            if len(items) == 1:
                return items[0][1] if items[0][0] == target else None
            key = tuple(sorted(v for v, _ in items))
            if key in failed:
                return None
            for i in range(len(items)):
                for j in range(len(items)):
                    (a, x), (b, y) = items[i], items[j]
                    if i == j or whole and a < b:
                        continue
                    rest = [items[k] for k in range(len(items)) if k not in (i, j)]
                    options = [(a + b, ('+', x, y)), (a * b, ('*', x, y))] if i < j or whole else []
                    options.append((a - b, ('-', x, y)))
                    if b and (not whole or a % b == 0):
                        options.append((a // b if whole else a / b, ('/', x, y)))
                    for value, tree in options:
                        found = search(rest + [(value, tree)], whole, failed)
                        if found:
                            return found
            failed.add(key)
            return None

        start = [(n, n) for n in numbers]
        tree = search(start, True, set()) or search([(Fraction(n), n) for n in numbers], False, set())
        print(text(tree))"""),
                    check=script({"numbers": numbers, "target": target}, """
        import re
        from fractions import Fraction

        assert sorted(map(int, re.findall(r'\\d+', answer))) == sorted(numbers), 'not each number once'
        value = eval(re.sub(r'(\\d+)', r'Fraction(\\1)', answer))
        assert value == target, f'it makes {value}'
        print('check passed')"""))


# Dates and times -------------------------------------------------------------------------------------


def time_intervals(item):
    question, fmt = item["question"], item["metadata"]["format"]
    start, end, wanted = re.search(r" (?:between|at|from) (.+?) (?:and ended at|and completed at|and arrived at"
                                   r"|and|to) (.+?)[?.] .*?in (D days(?:, HH:MM(?::SS)?)?|HH:MM(?::SS(?:\.mmm)?)?)\.",
                                   question).groups()
    return Solution(code=script({"start": start, "end": end, "answer_format": wanted}, f"""
        from datetime import datetime

        fmt = {fmt!r}  # how the question writes its times
        delta = datetime.strptime(end, fmt) - datetime.strptime(start, fmt)
        hours, rest = divmod(delta.seconds, 3600)
        if answer_format == 'D days':
            print(f'{{delta.days}} days')
        elif answer_format.startswith('D days'):
            seconds = f':{{rest % 60:02d}}' if answer_format.endswith('SS') else ''
            print(f'{{delta.days}} days, {{hours:02d}}:{{rest // 60:02d}}{{seconds}}')
        else:
            hours += 24 * delta.days
            out = f'{{hours:02d}}:{{rest // 60:02d}}'
            out += f':{{rest % 60:02d}}' if 'SS' in answer_format else ''
            out += f'.{{delta.microseconds // 1000:03d}}' if answer_format.endswith('mmm') else ''
            print(out)"""),
                    check=script({"start": start, "end": end, "answer_format": wanted}, f"""
        from datetime import datetime, timedelta

        fmt = {fmt!r}
        days, _, clock = answer.partition(' days') if 'days' in answer else ('0', '', answer)
        seconds = 0.0
        for part in clock.strip(', ').split(':') if clock.strip(', ') else []:
            seconds = seconds * 60 + float(part)
        seconds *= 60 if clock.count(':') == 1 else 1  # HH:MM
        delta = timedelta(days=int(days), seconds=seconds)
        unit = 86400 if answer_format == 'D days' else 60 if answer_format.endswith('HH:MM') else 1
        unit = 0.001 if answer_format.endswith('mmm') else unit
        left = (datetime.strptime(end, fmt) - (datetime.strptime(start, fmt) + delta)).total_seconds()
        assert 0 <= left < unit, f'start + answer misses the end by {{left}} s'  # what the answer's unit drops
        print('check passed')"""))


WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE = rf"(?:(?:{WEEKDAYS}), )?((?:{MONTHS}) \d{{1,2}}(?:, \d{{4}})?|\d\d/\d\d/\d{{4}})"


def calendar_arithmetic(item):
    """Seven kinds of question; each gets its data cut out of the first sentence and its own few lines."""
    kind, sentence = item["metadata"]["task"], re.split(r"[?.] ", item["question"])[0]
    dates = re.findall(DATE, sentence)
    if kind == "is_leap_year":
        data = {"year": int(found(r"(\d{4})", sentence))}
        body = "print('Yes' if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 'No')"
    elif kind == "weekday_of_date":
        data = {"date": dates[0]}
        body = "print(day(date).strftime('%A'))"
    elif kind == "weekday_of_date_from_first_date":
        data = {"first_day": found(rf"({WEEKDAYS})", sentence), "date": dates[-1]}
        body = """
            # the question gives no year; count the days from January 1 in a common (non-leap) year
            offset = (day(date + ', 2023') - day('January 1, 2023')).days
            names = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']
            print(names[(names.index(first_day) + offset) % 7])"""
    elif kind == "weekday_offset":
        days = int(found(r"(\d+)(?:-day| days)", sentence))
        data = {"start": dates[0], "days": days, "backward": bool(re.search(r"backward|ago|before", sentence))}
        body = "print((day(start) + timedelta(days=-days if backward else days)).strftime('%A'))"
    elif kind == "recurring_event_day":
        ordinal, weekday = re.search(rf"(first|second|third|fourth|fifth|last) ({WEEKDAYS})", sentence).groups()
        month, year = re.search(rf"({MONTHS}) (\d{{4}})", sentence).groups()
        data = {"ordinal": ordinal, "weekday": weekday, "month": month, "year": int(year)}
        body = """
            first = day(f'{month} 1, {year}')
            matches = [first + timedelta(days=k) for k in range(31)]
            matches = [d for d in matches if d.month == first.month and d.strftime('%A') == weekday]
            index = ['first', 'second', 'third', 'fourth', 'fifth', 'last'].index(ordinal)
            print(matches[-1].day if ordinal == 'last' else matches[index].day if index < len(matches) else -1)"""
    else:  # count_days, count_business_days: the start date may leave its year to the end date
        data = {"start": dates[0], "end": dates[1]}
        counted = "d.weekday() < 5"
        if kind == "count_days":
            data["weekday"] = found(rf"({WEEKDAYS})(?!,)", sentence)
            counted = "d.strftime('%A') == weekday"
        body = f"""
            last = day(end)
            first = day(start if ',' in start else f'{{start}}, {{last.year}}')
            if last < first:  # the range runs into the next year
                last = last.replace(year=last.year + 1)
            days = [first + timedelta(days=k) for k in range((last - first).days + 1)]  # both ends included
            print(sum({counted} for d in days))"""
    return Solution(code=script(data, body if kind == "is_leap_year" else DAY + textwrap.dedent(body)))


DAY = """
from datetime import datetime, timedelta

def day(text):
    for fmt in ('%B %d, %Y', '%m/%d/%Y'):  # how the question writes dates
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
"""


# Graphs, cubes, geometry, calculus and sequences (new coverage) ----------------------------------------


def graph_color(item):
    puzzle = meta(item, "puzzle")
    vertices, edges, colors = puzzle["vertices"], puzzle["edges"], puzzle["color_options"]
    data = {"vertices": vertices, "edges": edges, "colors": colors}
    greedy = script(data, """
        import json

        neighbours = {v: set() for v in vertices}
        for u, v in edges:
            neighbours[u].add(v)
            neighbours[v].add(u)
        coloring = {}
        for v in vertices:  # each vertex takes the first color that none of its colored neighbours has
            taken = {coloring[n] for n in neighbours[v] if n in coloring}
            coloring[v] = next(c for c in colors if c not in taken)
        print(json.dumps({str(v): c for v, c in coloring.items()}))""")
    backtracking = script(data, """
        import json

        def extend(coloring):
            \"\"\"A full coloring that extends `coloring` (the first vertices colored), or None.\"\"\"
            if len(coloring) == len(vertices):
                return coloring
            v = vertices[len(coloring)]
            for c in colors:
                clash = any(coloring.get(a if b == v else b) == c for a, b in edges if v in (a, b))
                if not clash and (full := extend({**coloring, v: c})):
                    return full
            return None

        print(json.dumps({str(v): c for v, c in extend({}).items()}))""")
    by_degree = script(data, """
        import json
        from collections import Counter

        degree = Counter(v for edge in edges for v in edge)
        coloring = {}
        for c in colors:  # Welsh-Powell: fill one color class at a time, busiest vertices first
            for v in sorted(vertices, key=lambda v: -degree[v]):
                if v not in coloring and all(coloring.get(w) != c for e in edges if v in e for w in e):
                    coloring[v] = c
        print(json.dumps({str(v): coloring[v] for v in vertices}))""")
    return Solution(code=greedy, alternatives=(backtracking, by_degree),
                    worked=graph_color_worked(vertices, edges, colors))


def graph_color_worked(vertices, edges, colors) -> str:
    """Greedy coloring in words: each vertex in turn, its colored neighbours, the first color left."""
    lines = ["Color the vertices in order, each with the first color that none of its already colored "
             "neighbours uses."]
    coloring = {}
    for v in vertices:
        neighbours = sorted({a if b == v else b for a, b in edges if v in (a, b)})
        colored = [f"{n} (color {coloring[n]})" for n in neighbours if n in coloring]
        coloring[v] = next(c for c in colors if c not in {coloring[n] for n in neighbours if n in coloring})
        lines.append(f"Vertex {v}: " + (f"neighbours {', '.join(colored)}" if colored else "no colored neighbours")
                     + f", so color {coloring[v]}.")
    answer = "{" + ", ".join(f"\"{v}\": {c}" for v, c in coloring.items()) + "}"  # as json.dumps writes it
    return "\n".join(lines + [f"Every edge joins two colors that differ. So the answer is {answer}"])


def color_cube_rotation(item):
    data = {"cube": meta(item, "initial_state"), "rotations": meta(item, "rotations"),
            "asked": meta(item, "target_side")}
    quarter_turns = script(data, """
        opposite = {'top': 'bottom', 'bottom': 'top', 'left': 'right', 'right': 'left', 'front': 'back',
                    'back': 'front'}

        def bring_to_top(cube, side):
            \"\"\"A quarter turn: side goes up, top goes to the far side, the far side down, bottom to side.\"\"\"
            far = opposite[side]
            return {**cube, 'top': cube[side], side: cube['bottom'], 'bottom': cube[far], far: cube['top']}

        for side in rotations:
            # bottom to top is a half turn about the left-right axis: two quarter turns bringing front up
            cube = bring_to_top(bring_to_top(cube, 'front'), 'front') if side == 'bottom' else bring_to_top(cube, side)
        print(cube[asked])""")
    vectors = script(data, """
        import numpy as np

        normals = {'top': (0, 0, 1), 'bottom': (0, 0, -1), 'right': (1, 0, 0), 'left': (-1, 0, 0),
                   'front': (0, 1, 0), 'back': (0, -1, 0)}
        up = np.array(normals['top'])
        color_at = {normals[side]: color for side, color in cube.items()}
        for side in rotations:
            # a quarter turn about axis k = d x up carries the direction d up (k x v for every v, plus the
            # part along k); bottom comes up by a half turn about the left-right axis
            turns = [np.cross(normals['front'], up)] * 2 if side == 'bottom' else [np.cross(normals[side], up)]
            for k in turns:
                color_at = {tuple(int(x) for x in np.cross(k, v) + np.dot(k, v) * k): color
                            for v, color in color_at.items()}
        print(color_at[normals[asked]])""")
    backwards = script(data, """
        opposite = {'top': 'bottom', 'bottom': 'top', 'left': 'right', 'right': 'left', 'front': 'back',
                    'back': 'front'}

        def came_from(position, side):
            \"\"\"Where the face now at `position` was before the turn that brought `side` up.\"\"\"
            cycle = ['top', side, 'bottom', opposite[side]]  # each position receives the next one's face
            return cycle[(cycle.index(position) + 1) % 4] if position in cycle else position

        # follow the asked position back through the turns to the side it started on
        position = asked
        for side in reversed(rotations):
            turns = ['front', 'front'] if side == 'bottom' else [side]  # bottom up: a half turn, front up twice
            for turn in turns:
                position = came_from(position, turn)
        print(cube[position])""")
    return Solution(code=quarter_turns, alternatives=(vectors, backwards),
                    worked=color_cube_worked(data["cube"], data["rotations"], data["asked"]))


CUBE_OPPOSITE = {"top": "bottom", "bottom": "top", "left": "right", "right": "left", "front": "back",
                 "back": "front"}


def color_cube_worked(cube: dict, rotations: list, asked: str) -> str:
    """The cube's six faces after each turn, then the asked face."""
    lines = []
    for number, side in enumerate(rotations, 1):
        if side == "bottom":  # a half turn: top and bottom swap, and so do front and back
            swapped = {"top": "bottom", "bottom": "top", "front": "back", "back": "front"}
            cube = {face: cube[swapped.get(face, face)] for face in cube}
            moved = "top and bottom swap, and so do front and back"
        else:
            far = CUBE_OPPOSITE[side]
            cube = {**cube, "top": cube[side], side: cube["bottom"], "bottom": cube[far], far: cube["top"]}
            moved = f"the {side} face goes up, top goes {far}, {far} goes down, bottom comes to the {side}"
        faces = ", ".join(f"{face} {color}" for face, color in cube.items())
        lines.append(f"Turn {number} ({side} to top): {moved}. Now {faces}.")
    return "\n".join(lines + [f"The {asked} side is now {cube[asked]}. So the answer is {cube[asked]}."])


def advanced_geometry(item):
    kind = item["metadata"]["task_type"]
    data = {name: tuple(int(v) for v in meta(item, name)) for name in "ABC"}
    programs = {
        "orthocenter": ("""
            from fractions import Fraction

            # the altitude from A is perpendicular to BC: (C - B) . (P - A) = 0, and likewise from B;
            # two lines a1 x + b1 y = c1 and a2 x + b2 y = c2, solved by Cramer's rule
            a1, b1 = C[0] - B[0], C[1] - B[1]
            a2, b2 = C[0] - A[0], C[1] - A[1]
            c1, c2 = a1 * A[0] + b1 * A[1], a2 * B[0] + b2 * B[1]
            det = a1 * b2 - a2 * b1
            x, y = Fraction(c1 * b2 - c2 * b1, det), Fraction(a1 * c2 - a2 * c1, det)
            print(f'({float(x):.3f}, {float(y):.3f})')""", """
            from fractions import Fraction

            # the orthocenter is A + B + C - 2 O, where O (the circumcenter) is equally far from all three
            d = 2 * (A[0] * (B[1] - C[1]) + B[0] * (C[1] - A[1]) + C[0] * (A[1] - B[1]))
            squares = [P[0] ** 2 + P[1] ** 2 for P in (A, B, C)]
            ox = Fraction(squares[0] * (B[1] - C[1]) + squares[1] * (C[1] - A[1]) + squares[2] * (A[1] - B[1]), d)
            oy = Fraction(squares[0] * (C[0] - B[0]) + squares[1] * (A[0] - C[0]) + squares[2] * (B[0] - A[0]), d)
            x, y = A[0] + B[0] + C[0] - 2 * ox, A[1] + B[1] + C[1] - 2 * oy
            print(f'({float(x):.3f}, {float(y):.3f})')""", """
            from sympy import Point, Triangle

            H = Triangle(Point(*A), Point(*B), Point(*C)).orthocenter
            print(f'({float(H.x):.3f}, {float(H.y):.3f})')"""),
        "incircle_radius": ("""
            import math

            a, b, c = math.dist(B, C), math.dist(C, A), math.dist(A, B)
            s = (a + b + c) / 2
            area = math.sqrt(s * (s - a) * (s - b) * (s - c))  # Heron's formula
            print(f'{area / s:.3f}')  # the inradius is the area over the semi-perimeter""", """
            import math

            # twice the area by the shoelace formula; the inradius is 2 * area / perimeter
            twice_area = abs((B[0] - A[0]) * (C[1] - A[1]) - (C[0] - A[0]) * (B[1] - A[1]))
            perimeter = sum(math.hypot(P[0] - Q[0], P[1] - Q[1]) for P, Q in ((A, B), (B, C), (C, A)))
            print(f'{twice_area / perimeter:.3f}')""", """
            from sympy import Point, Triangle

            # sympy signs the area by the orientation of A, B, C
            print(f"{abs(float(Triangle(Point(*A), Point(*B), Point(*C)).inradius)):.3f}")"""),
        "angle_measure": ("""
            import math

            # the angle between the vectors BA and BC, from their dot product
            u, v = (A[0] - B[0], A[1] - B[1]), (C[0] - B[0], C[1] - B[1])
            cosine = (u[0] * v[0] + u[1] * v[1]) / (math.hypot(*u) * math.hypot(*v))
            print(f'{math.degrees(math.acos(max(-1.0, min(1.0, cosine)))):.2f}°')""", """
            import math

            # the difference of the directions of BA and BC, folded into [0, 180]
            turn = math.atan2(A[1] - B[1], A[0] - B[0]) - math.atan2(C[1] - B[1], C[0] - B[0])
            degrees = abs(math.degrees(turn)) % 360
            print(f'{min(degrees, 360 - degrees):.2f}°')""", """
            import math

            # the law of cosines with the side lengths: b^2 = a^2 + c^2 - 2ac cos(B)
            a, b, c = math.dist(B, C), math.dist(C, A), math.dist(A, B)
            print(f'{math.degrees(math.acos((a * a + c * c - b * b) / (2 * a * c))):.2f}°')"""),
    }
    code, *alternatives = (script(data, body) for body in programs[kind])
    return Solution(code=code, alternatives=tuple(alternatives), worked=GEOMETRY_WORKED[kind](**data))


def factor(number) -> str:
    """A number as a factor in a written product: negatives in parentheses."""
    return f"({number})" if number < 0 else f"{number}"


def line(a, b) -> str:
    """The left side of a line's equation a x + b y, signs written once."""
    return f"{a}x {'-' if b < 0 else '+'} {abs(b)}y"


def orthocenter_worked(A, B, C) -> str:
    from fractions import Fraction

    a1, b1, a2, b2 = C[0] - B[0], C[1] - B[1], C[0] - A[0], C[1] - A[1]
    c1, c2 = a1 * A[0] + b1 * A[1], a2 * B[0] + b2 * B[1]
    det = a1 * b2 - a2 * b1
    x, y = Fraction(c1 * b2 - c2 * b1, det), Fraction(a1 * c2 - a2 * c1, det)
    answer = f"({float(x):.3f}, {float(y):.3f})"
    return "\n".join([
        "The orthocenter H = (x, y) lies on the altitude from A (perpendicular to BC) and on the one from B "
        "(perpendicular to CA).",
        f"BC = C - B = ({a1}, {b1}), so the altitude from A is {line(a1, b1)} = "
        f"{a1}·{factor(A[0])} + {factor(b1)}·{factor(A[1])} = {c1}.",
        f"AC = C - A = ({a2}, {b2}), so the altitude from B is {line(a2, b2)} = "
        f"{a2}·{factor(B[0])} + {factor(b2)}·{factor(B[1])} = {c2}.",
        f"Cramer's rule: the determinant is {a1}·{factor(b2)} - {factor(a2)}·{factor(b1)} = {det}.",
        f"x = ({c1}·{factor(b2)} - {factor(c2)}·{factor(b1)}) / {factor(det)} = {x} ≈ {float(x):.3f}.",
        f"y = ({a1}·{factor(c2)} - {factor(a2)}·{factor(c1)}) / {factor(det)} = {y} ≈ {float(y):.3f}.",
        f"So the answer is {answer}"])


def incircle_radius_worked(A, B, C) -> str:
    sides = {name: math.dist(P, Q) for name, P, Q in (("a = BC", B, C), ("b = CA", C, A), ("c = AB", A, B))}
    a, b, c = sides.values()
    s = (a + b + c) / 2
    area = math.sqrt(s * (s - a) * (s - b) * (s - c))
    lengths = ", ".join(f"{name} = √{round(length ** 2)} ≈ {length:.4f}" for name, length in sides.items())
    return "\n".join([
        f"Side lengths: {lengths}.",
        f"Semi-perimeter s = (a + b + c) / 2 ≈ {s:.4f}.",
        f"Heron: area = √(s(s - a)(s - b)(s - c)) ≈ √({s:.4f} · {s - a:.4f} · {s - b:.4f} · {s - c:.4f})"
        f" ≈ {area:.4f}.",
        f"The inradius is area / s ≈ {area:.4f} / {s:.4f} ≈ {area / s:.5f}.",
        f"So the answer is {area / s:.3f}"])


def angle_measure_worked(A, B, C) -> str:
    u, v = (A[0] - B[0], A[1] - B[1]), (C[0] - B[0], C[1] - B[1])
    dot, lengths = u[0] * v[0] + u[1] * v[1], math.hypot(*u) * math.hypot(*v)
    cosine = max(-1.0, min(1.0, dot / lengths))
    degrees = math.degrees(math.acos(cosine))
    return "\n".join([
        f"The angle at B is between BA = A - B = {u} and BC = C - B = {v}.",
        f"BA · BC = {u[0]}·{factor(v[0])} + {u[1]}·{factor(v[1])} = {dot}.",
        f"|BA| = √{u[0] ** 2 + u[1] ** 2} ≈ {math.hypot(*u):.4f} and |BC| = √{v[0] ** 2 + v[1] ** 2} ≈ "
        f"{math.hypot(*v):.4f}, whose product is ≈ {lengths:.4f}.",
        f"cos B = {dot} / {lengths:.4f} ≈ {cosine:.5f}, so B = arccos({cosine:.5f}) ≈ {degrees:.3f}°.",
        f"So the answer is {degrees:.2f}°"])


GEOMETRY_WORKED = {"orthocenter": orthocenter_worked, "incircle_radius": incircle_radius_worked,
                   "angle_measure": angle_measure_worked}


def simple_integration(item):
    import sympy

    integrand, variable = item["metadata"]["integrand"], item["metadata"]["variable"]
    data = {"integrand": integrand, "variable": variable}
    symbolic = script(data, """
        import sympy

        x = sympy.Symbol(variable)
        print(f'{sympy.integrate(sympy.sympify(integrand, locals={variable: x}), x)} + C')""")
    power_rule = script(data, """
        import re
        from fractions import Fraction

        # each term is [-]coefficient*x**power/denominator, any part but one optional; by the power rule
        # c x^n integrates to c/(n+1) x^(n+1)
        term = re.compile(rf'(-?)(\\d*)\\*?({variable})?(?:\\*\\*(\\d+))?(?:/(\\d+))?')
        pieces = []
        for text in integrand.replace(' - ', ' + -').split(' + '):
            sign, number, x, power, denominator = term.fullmatch(text).groups()
            coefficient = Fraction(int(number or 1), int(denominator or 1)) * (-1 if sign else 1)
            n = (int(power) if power else 1) if x else 0
            c = coefficient / (n + 1)
            pieces.append(f'{c.numerator}*{variable}**{n + 1}' + (f'/{c.denominator}' if c.denominator > 1 else ''))
        print(' + '.join(pieces).replace('+ -', '- ') + ' + C')""")
    by_coefficients = script(data, """
        import sympy

        x = sympy.Symbol(variable)
        polynomial = sympy.Poly(sympy.sympify(integrand, locals={variable: x}), x)
        # raise every power by one and divide by the new power
        antiderivative = sum(sympy.Rational(c) / (n + 1) * x ** (n + 1) for (n,), c in polynomial.terms())
        print(f'{antiderivative} + C')""")
    x = sympy.Symbol(variable)
    steps = []
    for term in sympy.Add.make_args(sympy.sympify(integrand, locals={variable: x})):
        coefficient, power = term.as_coeff_exponent(x)
        steps.append(f"{term}: c = {coefficient}, n = {power}, so ({coefficient})/{power + 1}·{variable}**{power + 1}"
                     f" = {sympy.integrate(term, x)}")
    worked = "\n".join(["Integrate term by term with the power rule: c·x^n becomes c·x^(n+1)/(n+1).", *steps,
                        "Add the terms and the constant of integration.",
                        f"So the answer is {sympy.integrate(sympy.sympify(integrand, locals={variable: x}), x)} + C"])
    return Solution(code=symbolic, alternatives=(power_rule, by_coefficients), worked=worked)



def number_sequence(item):
    terms = [int(term) for term in found(r"^(.*), \?", item["question"]).split(", ")]
    steps = """
        steps = {f'add {p}': (lambda v, q, p=p: v + p) for p in range(-10, 11) if p}
        steps |= {f'multiply by {p}': (lambda v, q, p=p: v * p) for p in range(-10, 11) if p not in (0, 1)}
        steps |= {'square': lambda v, q: v * v, 'halve': lambda v, q: v // 2,
                  'add the previous term': lambda v, q: v + q}
        previous = [0] + terms[:-1]  # the term before each one (nothing before the first)
        """
    by_values = script({"terms": terms}, steps + """
        # a rule of up to four steps turns each term into the next; grow every term's value step by step,
        # breadth-first, keeping each distinct row of values once (the last term's row gives the answer)
        layer = {tuple(terms): []}
        for _ in range(4):
            grown = {}
            for values, rule in layer.items():
                for name, step in steps.items():
                    new = tuple(step(v, q) for v, q in zip(values, previous))
                    if new not in grown and max(map(abs, new)) < 10 ** 7:
                        grown[new] = rule + [name]
            layer = grown
            fits = [values for values in layer if list(values[:-1]) == terms[1:]]
            if fits:
                break
        print(fits[0][-1])""")
    by_rules = script({"terms": terms}, steps + """
        def apply(rule, value, before):
            for step in rule:
                value = step(value, before)
            return value

        # try every rule of one step, then two, ...: the first that maps each term onto the next
        for length in range(1, 5):
            rules = itertools.product(steps.values(), repeat=length)
            rule = next((r for r in rules if all(apply(r, a, q) == b for a, b, q in zip(terms, terms[1:], previous))),
                        None)
            if rule:
                break
        print(apply(rule, terms[-1], previous[-1]))""", imports="import itertools")
    return Solution(code=by_values, alternatives=(by_rules,), worked=number_sequence_worked(terms))


SEQUENCE_STEPS = {f"add {p}": (lambda v, q, p=p: v + p) for p in range(-10, 11) if p}
SEQUENCE_STEPS |= {f"multiply by {p}": (lambda v, q, p=p: v * p) for p in range(-10, 11) if p not in (0, 1)}
SEQUENCE_STEPS |= {"square": lambda v, q: v * v, "halve": lambda v, q: v // 2,
                   "add the previous term": lambda v, q: v + q}


def number_sequence_worked(terms: list[int]) -> str:
    """The rule the breadth-first search of the first program finds, checked on every term and applied to the
    last one."""
    previous = [0] + terms[:-1]
    layer = {tuple(terms): []}
    for _ in range(4):
        grown = {}
        for values, rule in layer.items():
            for name, step in SEQUENCE_STEPS.items():
                new = tuple(step(v, q) for v, q in zip(values, previous))
                if new not in grown and max(map(abs, new)) < 10 ** 7:
                    grown[new] = rule + [name]
        layer = grown
        fits = [values for values in layer if list(values[:-1]) == terms[1:]]
        if fits:
            break
    rule = layer[fits[0]]

    def trace(value, before, first=False):
        shown = [str(value)]
        for name in rule:
            value = SEQUENCE_STEPS[name](value, before)
            added = " (none before the first term)" if first else f" ({before})"
            shown.append(f"{name}{added if name == 'add the previous term' else ''} → {value}")
        return ", ".join(shown), value

    lines = ["Look for a short rule (add or multiply by a small number, square, halve rounding down, add the "
             "previous term) that turns each term into the next.", f"The rule '{' then '.join(rule)}' fits:"]
    checks = [f"{trace(a, q, first=not i)[0]} ✓" for i, (a, q) in enumerate(zip(terms, previous))][:-1]
    lines += checks if len(checks) <= 5 else checks[:4] + [f"... and the other {len(checks) - 4} terms the same way."]
    text, answer = trace(terms[-1], previous[-1])
    return "\n".join(lines + [f"Applied to the last term: {text}.", f"So the answer is {answer}."])


WRITERS = {"base_conversion": base_conversion, "basic_arithmetic": basic_arithmetic,
           "prime_factorization": prime_factorization, "number_sorting": number_sorting,
           "products": products, "decimal_chain_sum": decimal_chain_sum,
           "decimal_arithmetic": decimal_arithmetic, "power_function": power_function,
           "bitwise_arithmetic": bitwise_arithmetic, "complex_arithmetic": complex_arithmetic,
           "simple_equations": simple_equations, "count_bits": count_bits, "count_primes": count_primes,
           "number_filtering": number_filtering, "number_format": number_format,
           "leg_counting": leg_counting, "caesar_cipher": caesar_cipher,
           "letter_counting": letter_counting, "word_sequence_reversal": word_sequence_reversal,
           "spiral_matrix": spiral_matrix, "rotten_oranges": rotten_oranges,
           "largest_island": largest_island, "maze": maze, "game_of_life_halting": game_of_life_halting,
           "course_schedule": course_schedule, "jugs": jugs, "quantum_lock": quantum_lock, "ab": ab,
           "bf": bf, "isomorphic_strings": isomorphic_strings, "ransom_note": ransom_note,
           "group_anagrams": group_anagrams, "binary_alternation": binary_alternation,
           "palindrome_generation": palindrome_generation, "string_manipulation": string_manipulation,
           "polynomial_multiplication": polynomial_multiplication, "polynomial_equations": polynomial_equations,
           "countdown": countdown, "time_intervals": time_intervals,
           "calendar_arithmetic": calendar_arithmetic,
           "graph_color": graph_color, "color_cube_rotation": color_cube_rotation,
           "advanced_geometry": advanced_geometry, "simple_integration": simple_integration,
           "number_sequence": number_sequence}
