"""The scripted teacher's program writers for BIG-Bench Hard tasks, keyed by task name (conventions:
r1ci.tasks.teaching).

BBH questions are templated text, so a writer splits the question into its values (the data block) and the
script does the reasoning. Each task's reasoning is a plain function here, written once: the writer pastes
its source into the script (`script_with_functions`; the sandbox runs it there), and the writer calls the
function itself where its worked solution in words needs the result, so the two never disagree. Such a
function must be self-contained (its imports are the script's), since its source runs alone. The alternative
programs, each another route to the answer, are script bodies (string constants) beside their writer.

Writers read the question as a solver would, from its text: they use nothing of `r1ci.tasks.bbh` (which finds
its writers here), only the question's layout, such as its "(A) ..." option lines. Not here: the other 15 BBH
tasks (the 7 of the test split, and 8 train tasks that need world knowledge or a judgement of language, which
no short program supplies).
"""

import re
from itertools import permutations

from r1ci.tasks.teaching import Solution, script, script_with_functions

OPTION = r"^\(([A-Z])\)\s*(.*)$"  # an option line of a multiple-choice question: "(A) text"


def _options(question):
    """Option letter -> the option's text, exactly as the question writes it."""
    return dict(re.findall(OPTION, question, re.MULTILINE))


def innermost(tokens):
    """The span (start, end) of an innermost bracketed group's contents, or of all the tokens if none."""
    close = tokens.index(")") if ")" in tokens else len(tokens)
    return max((i + 1 for i in range(close) if tokens[i] == "("), default=0), close


def unbracketed(tokens):
    """The tokens with the brackets around single values dropped."""
    for i in range(len(tokens) - 2):
        if tokens[i] == "(" and tokens[i + 2] == ")":
            return unbracketed(tokens[:i] + [tokens[i + 1]] + tokens[i + 3:])
    return tokens


def rewritten(tokens, reduce_once):
    """The steps that reduce an expression (a list of tokens) to one value, as lines 'what was done: the
    expression after it', and that value. `reduce_once(group)` applies one operator inside an innermost
    bracketed group and says which: (its index in the group, how many tokens it replaces, the value, the
    text of what was done); brackets around a single value drop away."""
    tokens, lines = unbracketed(tokens), []
    while len(tokens) > 1:
        start, end = innermost(tokens)
        i, width, value, done = reduce_once(tokens[start:end])
        tokens = unbracketed(tokens[:start + i] + [value] + tokens[start + i + width:])
        lines.append(f"{done}: {' '.join(tokens)}")
    return lines, tokens[0]


def boolean_step(group):
    """One operator of a group without brackets: the last `not` first, then the first `and`, then `or`."""
    if "not" in group:
        i = len(group) - 1 - group[::-1].index("not")
        value = str(group[i + 1] == "False")
        return i, 2, value, f"not {group[i + 1]} = {value}"
    i = group.index("and") if "and" in group else group.index("or")
    a, op, b = group[i - 1:i + 2]
    value = str(a == b == "True") if op == "and" else str("True" in (a, b))
    return i - 1, 3, value, f"{a} {op} {b} = {value}"


def arithmetic_step(group):
    """One operation of a group without brackets: the first product, else the first sum or difference."""
    i = group.index("*") if "*" in group else next(k for k in range(1, len(group), 2) if group[k] in "+-")
    a, op, b = group[i - 1:i + 2]
    value = str({"*": int(a) * int(b), "+": int(a) + int(b), "-": int(a) - int(b)}[op])
    return i - 1, 3, value, f"{a} {op} {b} = {value}"


BOOLEAN_INNERMOST = r"""
def flat(tokens):
    # no brackets: each not applies to the value after it (the last one first), then and binds before or
    while "not" in tokens:
        i = len(tokens) - 1 - tokens[::-1].index("not")
        tokens[i:i + 2] = ["False" if tokens[i + 1] == "True" else "True"]
    alternatives = " ".join(tokens).split(" or ")
    return "True" if any(set(part.split(" and ")) == {"True"} for part in alternatives) else "False"


text = expression
while "(" in text:  # replace each innermost bracketed group by its value
    text = re.sub(r"\(([^()]*)\)", lambda group: flat(group[1].split()), text)
print(flat(text.split()))
"""
BOOLEAN_PARSER = """
tokens = expression.replace("(", " ( ").replace(")", " ) ").split()


def parse_or(i):
    value, i = parse_and(i)
    while i < len(tokens) and tokens[i] == "or":
        right, i = parse_and(i + 1)
        value = value or right
    return value, i


def parse_and(i):
    value, i = parse_not(i)
    while i < len(tokens) and tokens[i] == "and":
        right, i = parse_not(i + 1)
        value = value and right
    return value, i


def parse_not(i):
    if tokens[i] == "not":
        value, i = parse_not(i + 1)
        return not value, i
    if tokens[i] == "(":
        value, i = parse_or(i + 1)
        return value, i + 1  # past the ")"
    return tokens[i] == "True", i + 1


print(parse_or(0)[0])
"""
ARITHMETIC_TREE = """
OPERATIONS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul}


def value(node):
    if isinstance(node, ast.BinOp):
        return OPERATIONS[type(node.op)](value(node.left), value(node.right))
    if isinstance(node, ast.UnaryOp):  # a negative number, -4
        return -value(node.operand)
    return node.value


print(value(ast.parse(expression, mode="eval").body))
"""
ARITHMETIC_STACKS = r"""
tokens = re.findall(r"-?\d+|[-+*()]", expression)  # "-4" is a number, "- 4" a subtraction
precedence = {"+": 1, "-": 1, "*": 2}
numbers, operators = [], []


def apply():
    b, a, op = numbers.pop(), numbers.pop(), operators.pop()
    numbers.append(a * b if op == "*" else a + b if op == "+" else a - b)


for token in tokens:  # the shunting-yard algorithm, evaluating as it goes
    if token == "(":
        operators.append(token)
    elif token == ")":
        while operators[-1] != "(":
            apply()
        operators.pop()
    elif token in precedence:
        while operators and operators[-1] != "(" and precedence[operators[-1]] >= precedence[token]:
            apply()
        operators.append(token)
    else:
        numbers.append(int(token))
while operators:
    apply()
print(numbers[0])
"""


def boolean_expressions(item):
    """Python evaluates the expression as written; alternatives reduce innermost brackets with a regex, or parse
    by recursive descent. The worked solution applies one operator at a time."""
    expression = item["question"].split(" is\n")[0].strip()
    tokens = expression.replace("(", " ( ").replace(")", " ) ").split()
    lines, value = rewritten(tokens, boolean_step)
    data = {"expression": expression}
    return Solution(code=f"print({expression})",
                    alternatives=(script(data, BOOLEAN_INNERMOST, "import re"), script(data, BOOLEAN_PARSER)),
                    worked="\n".join([f"{expression}: brackets first, then not, then and, then or.", *lines,
                                      f"So the answer is {value}."]))


def multistep_arithmetic_two(item):
    """Python evaluates the expression as written; alternatives walk its syntax tree, or evaluate with two
    stacks (shunting-yard). The worked solution does one operation at a time, products before sums."""
    expression = item["question"].split(" =\n")[0].strip()
    tokens = re.findall(r"-?\d+|[-+*()]", expression)
    lines, value = rewritten(tokens, arithmetic_step)
    lines = [line.replace("( ", "(").replace(" )", ")") for line in lines]
    data = {"expression": expression}
    return Solution(code=f"print({expression})",
                    alternatives=(script(data, ARITHMETIC_TREE, "import ast\nimport operator"),
                                  script(data, ARITHMETIC_STACKS, "import re")),
                    worked="\n".join([f"{expression}: innermost brackets first, products before sums.", *lines,
                                      f"So the answer is {value}."]))


# navigate: replay the moves on a grid.

def walk(instructions):
    """Where the moves end, as (x, y) from the start; facing +y at first, steps relative to the facing."""
    x, y, dx, dy = 0, 0, 0, 1
    for instruction in instructions:
        words = instruction.rstrip(".").split()
        if words[0] == "Turn":
            dx, dy = {"left": (-dy, dx), "right": (dy, -dx), "around": (-dx, -dy)}[words[1]]
        elif words[0] == "Take":
            steps, direction = int(words[1]), words[3] if len(words) > 3 else "forward"
            mx, my = {"forward": (dx, dy), "backward": (-dx, -dy), "left": (-dy, dx), "right": (dy, -dx)}[direction]
            x, y = x + steps * mx, y + steps * my
    return x, y


NAVIGATE_CHECK = """\
# the same walk with complex numbers: the heading is a unit number, a left turn multiplies it by 1j
position, heading = 0, 1j
for instruction in instructions:
    words = instruction.rstrip('.').split()
    if words[0] == 'Turn':
        heading *= {'left': 1j, 'right': -1j, 'around': -1}[words[1]]
    elif words[0] == 'Take':
        turn = {'forward': 1, 'backward': -1, 'left': 1j, 'right': -1j}[words[3] if len(words) > 3 else 'forward']
        position += int(words[1]) * heading * turn
assert answer == ('Yes' if position == 0 else 'No'), f'the walk ends at {position}'
print('check passed')"""


NAVIGATE_COMPASS = """
compass = "NESW"  # clockwise; the walker starts facing N
facing, walked = 0, Counter()
for instruction in instructions:
    words = instruction.rstrip(".").split()
    if words[0] == "Turn":
        facing = (facing + {"right": 1, "around": 2, "left": 3}[words[1]]) % 4
    elif words[0] == "Take":
        side = {"forward": 0, "right": 1, "backward": 2, "left": 3}[words[3] if len(words) > 3 else "forward"]
        walked[compass[(facing + side) % 4]] += int(words[1])
print(dict(walked))
print("Yes" if walked["N"] == walked["S"] and walked["E"] == walked["W"] else "No")"""


def navigate_trace(instructions):
    """The walk in words: each turn's new facing, each move's position (x east, y north, facing north first)."""
    x, y, facing, lines = 0, 0, 0, []
    compass = ["north", "east", "south", "west"]
    for instruction in instructions:
        words = instruction.rstrip(".").split()
        if words[0] == "Turn":
            facing = (facing + {"right": 1, "around": 2, "left": 3}[words[1]]) % 4
            lines.append(f"{instruction} Now facing {compass[facing]}.")
        elif words[0] == "Take":
            side = {"forward": 0, "right": 1, "backward": 2, "left": 3}[words[3] if len(words) > 3 else "forward"]
            dx, dy = [(0, 1), (1, 0), (0, -1), (-1, 0)][(facing + side) % 4]
            x, y = x + int(words[1]) * dx, y + int(words[1]) * dy
            lines.append(f"{instruction} That is {words[1]} {compass[(facing + side) % 4]}: now at ({x}, {y}).")
    return lines


def navigate(item):
    """The walk on a grid, turning the facing; alternatives: complex numbers, or the distance walked in each
    compass direction. The worked solution follows the position move by move."""
    moves = item["question"].split("starting point? ")[1].split("\nOptions")[0]
    instructions = [s.strip() for s in re.findall(r"[^.]+\.", moves)]
    x, y = walk(instructions)
    answer = "Yes" if (x, y) == (0, 0) else "No"
    data = {"instructions": instructions}
    ends = "the starting point" if answer == "Yes" else "not the starting point"
    return Solution(
        code=script_with_functions(data, walk, last="print('Yes' if walk(instructions) == (0, 0) else 'No')"),
        check=script_with_functions(data, last=NAVIGATE_CHECK),
        alternatives=(script(data, NAVIGATE_CHECK.split("assert")[0] + "print('Yes' if position == 0 else 'No')"),
                      script(data, NAVIGATE_COMPASS, "from collections import Counter")),
        worked="\n".join(["Start at (0, 0) facing north; x counts steps east, y steps north.",
                          *navigate_trace(instructions),
                          f"The walk ends at ({x}, {y}), {ends}. So the answer is {answer}."]))


# tracking_shuffled_objects: replay the swaps.

def swap_all(holding, swaps):
    """What each person holds after the swaps, in order."""
    holding = dict(holding)
    for a, b in swaps:
        holding[a], holding[b] = holding[b], holding[a]
    return holding


TRACKING_CHECK = """\
# trace the chosen item backwards: undo the swaps from the last to the first, following its holder
holder = person
for a, b in reversed(swaps):
    if holder in (a, b):
        holder = b if holder == a else a
assert at_start[holder] == options[answer.strip('()')], f'{person} ends with what {holder} had at the start'
print('check passed')"""


TRACKING_OWNERS = """
owner = {thing: name for name, thing in at_start.items()}  # who holds each thing
for a, b in swaps:
    thing_a, thing_b = (next(t for t, o in owner.items() if o == name) for name in (a, b))
    owner[thing_a], owner[thing_b] = b, a
held = next(t for t, o in owner.items() if o == person)
print(held)
print(next(f"({k})" for k, v in options.items() if v == held))"""


def tracking_shuffled_objects(item):
    """The swaps replayed on who holds what; alternatives: trace the person backwards through the swaps to whoever
    started with their final thing, or keep who owns each thing. The worked solution follows every swap."""
    question = item["question"]
    setup = question.split(": ", 1)[1].split(".\n")[0]
    at_start = dict(re.findall(r"([A-Z][a-z]+) (?:is playing|is dancing with|has an?|gets) (.+?)(?:, and |, |$)", setup))
    swaps = re.findall(r"([A-Z][a-z]+) and ([A-Z][a-z]+) (?:swap|switch|trade)", question.split(".\n", 1)[1])
    person = re.search(r"At the end of [^,]+, ([A-Z][a-z]+)", question)[1]
    options = _options(question)
    data = {"at_start": at_start, "swaps": swaps, "person": person, "options": options}
    final = swap_all(at_start, swaps)
    letter = next((k for k, v in options.items() if v == final[person]), "?")
    steps, holding = [], dict(at_start)
    for k, (a, b) in enumerate(swaps, 1):
        holding = swap_all(holding, [(a, b)])
        steps.append(f"{k}. {a} and {b} swap: {a} has {holding[a]}, {b} has {holding[b]}.")
    backwards = TRACKING_CHECK.split("assert")[0] + \
        "print(next(f'({k})' for k, v in options.items() if v == at_start[holder]))"
    return Solution(
        code=script_with_functions(data, swap_all,
                                   last="final = swap_all(at_start, swaps)\n"
                                        "print(final)\n"
                                        "print(next(f'({k})' for k, v in options.items() if v == final[person]))"),
        check=script_with_functions(data, last=TRACKING_CHECK),
        alternatives=(script(data, backwards), script(data, TRACKING_OWNERS)),
        worked="\n".join(["At the start: " + ", ".join(f"{name} has {thing}" for name, thing in at_start.items()) + ".",
                          *steps, f"So at the end {person} has {final[person]}: ({letter})."]))


# web_of_lies: follow the chain of who says what.

def truth_values(statements):
    """Who tells the truth: a plain fact, then each speaker is truthful iff the claim they make is true."""
    truthful = {}
    for statement in statements:
        words = statement.rstrip(".").split()
        if words[1] == "says":
            speaker, subject, claim = words[0], words[2], " ".join(words[3:]) == "tells the truth"
            truthful[speaker] = truthful[subject] == claim
        else:
            truthful[words[0]] = " ".join(words[1:]) == "tells the truth"
    return truthful


WEB_OF_LIES_CHECK = """\
# go the other way: assume the answer and work back down the chain to the plain fact
person = question.split()[1]
truthful = {person: answer == 'Yes'}
for statement in reversed(statements):
    words = statement.rstrip('.').split()
    if words[1] == 'says':
        claim = ' '.join(words[3:]) == 'tells the truth'
        truthful[words[2]] = claim if truthful[words[0]] else not claim
    else:
        assert truthful[words[0]] == (' '.join(words[1:]) == 'tells the truth'), 'contradicts ' + statement
print('check passed')"""


WEB_OF_LIES_RECURSIVE = r"""
claims, facts = {}, {}
for statement in statements:
    if said := re.fullmatch(r"(\w+) says (\w+) (tells the truth|lies)\.", statement):
        claims[said[1]] = (said[2], said[3] == "tells the truth")
    else:
        name, verdict = re.fullmatch(r"(\w+) (tells the truth|lies)\.", statement).groups()
        facts[name] = verdict == "tells the truth"


def tells_truth(name):
    # a speaker is honest exactly when what they say about the other person is so
    if name in facts:
        return facts[name]
    subject, honest = claims[name]
    return tells_truth(subject) == honest


print("Yes" if tells_truth(question.split()[1]) else "No")"""
WEB_OF_LIES_PARITY = """
sentences = [s.rstrip(".").split() for s in statements]
said = {words[0]: (words[2], words[-1] == "lies") for words in sentences if words[1] == "says"}
name, flips = question.split()[1], 0
while name in said:  # back along the chain; every "lies" flips the truth once
    name, flipped = said[name]
    flips += flipped
fact = next(s for s in statements if s.split()[0] == name and "says" not in s)
honest = fact.endswith("tells the truth.") != (flips % 2 == 1)
print("Yes" if honest else "No")"""


def web_of_lies(item):
    """Forward from the plain fact, each speaker's honesty from what they say; alternatives: a recursion from the
    person asked about, or counting the flips ("lies") back along the chain. The worked solution goes down the
    chain a statement at a time."""
    body = item["question"].split("Question: ", 1)[1].split("\n")[0]
    sentences = [s.strip() for s in re.findall(r"[^.?]+[.?]", body)]
    statements, question = sentences[:-1], sentences[-1]
    truthful = truth_values(statements)
    person = question.split()[1]
    verdict = {True: "tells the truth", False: "lies"}
    steps = [f"{statements[0]} (given)"]
    for statement in statements[1:]:
        speaker, _, subject = statement.split()[:3]
        steps.append(f"{statement} {subject} {verdict[truthful[subject]]}, so {speaker} {verdict[truthful[speaker]]}.")
    data = {"statements": statements, "question": question}
    return Solution(
        code=script_with_functions(data, truth_values,
                                   last="truthful = truth_values(statements)\n"
                                        "print('Yes' if truthful[question.split()[1]] else 'No')"),
        check=script_with_functions(data, last=WEB_OF_LIES_CHECK),
        alternatives=(script(data, WEB_OF_LIES_RECURSIVE, "import re"), script(data, WEB_OF_LIES_PARITY)),
        worked="\n".join([*steps, f"So the answer is {'Yes' if truthful[person] else 'No'}."]))


# logical_deduction: try every order, keep the ones that satisfy all statements.

def holds(statement, order):
    """Whether a statement is true of `order`, listed from the left (oldest, first place, cheapest) end."""
    text = statement.lower().rstrip(".")
    place = {name: i for i, name in enumerate(order)}
    spots = {}
    for name in order:
        found = re.search(r"\b" + re.escape(name.lower()) + r"\b", text)
        if found:
            spots[name] = found.start()
            text = text[:found.start()] + "_" * len(name) + text[found.end():]
    named = sorted(spots, key=spots.get)
    if len(named) == 2:  # a comparison: "X is to the right of Y", "X is older than Y", "X finished below Y"
        later = any(word in text for word in ("right of", "newer", "below", "more expensive"))
        return place[named[0]] > place[named[1]] if later else place[named[0]] < place[named[1]]
    ordinals = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6}
    k = next((n for word, n in ordinals.items() if word in text), 1)
    from_end = any(word in text for word in ("right", "newest", "last", "most expensive"))
    return place[named[0]] == (len(order) - k if from_end else k - 1)


def consistent_orders(objects, statements):
    return [order for order in permutations(objects) if all(holds(s, order) for s in statements)]


READINGS = {"vehicles": "from oldest to newest", "golfers": "from first to last",
            "fruits": "from cheapest to most expensive"}  # birds and books: from left to right

# The statements as constraints on places counted from the left (oldest, first, cheapest) end: (name, place) or
# (name, "before", other name). Shared by the alternatives, which then search in different ways.
DEDUCTION_CONSTRAINTS = r"""
LATER = ("right of", "newer", "below", "more expensive")  # "X is to the right of Y": X comes after Y
FROM_END = ("right", "newest", "last", "most expensive")  # "the second from the right", "the newest"
ORDINALS = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6}


def constraint(statement):
    text = statement.lower().rstrip(".")
    named = sorted((text.index(name.lower()), name) for name in objects
                   if re.search(r"\b" + re.escape(name.lower()) + r"\b", text))
    for _, name in named:
        text = text.replace(name.lower(), "_")
    if len(named) == 2:
        first, second = (name for _, name in named)
        return (second, "before", first) if any(w in text for w in LATER) else (first, "before", second)
    k = next((n for word, n in ORDINALS.items() if word in text), 1)
    return named[0][1], len(objects) - k if any(w in text for w in FROM_END) else k - 1


def satisfied(rule, place):
    return place[rule[0]] < place[rule[2]] if len(rule) == 3 else place[rule[0]] == rule[1]


rules = [constraint(s) for s in statements]
"""
DEDUCTION_BACKTRACK = DEDUCTION_CONSTRAINTS + r"""

def arrange(order):
    # fill the places from the left, checking each rule as soon as its names are placed
    place = {name: i for i, name in enumerate(order)}
    if not all(satisfied(r, place) for r in rules if r[0] in place and (len(r) == 2 or r[2] in place)):
        return None
    if len(order) == len(objects):
        return place
    for name in objects:
        if name not in place and (found := arrange(order + [name])):
            return found
    return None


place = arrange([])
print(sorted(objects, key=place.get))
print(next(f"({k})" for k, claim in options.items() if satisfied(constraint(claim), place)))
"""
DEDUCTION_CANDIDATES = DEDUCTION_CONSTRAINTS + r"""
can = {name: set(range(len(objects))) for name in objects}  # the places each one may still take
changed = True
while changed:
    before = {name: set(places) for name, places in can.items()}
    for rule in rules:
        if len(rule) == 2:
            can[rule[0]] &= {rule[1]}
        else:  # the earlier one stands before the other's last chance, the later after the other's first
            a, _, b = rule
            can[a] = {p for p in can[a] if p < max(can[b])}
            can[b] = {p for p in can[b] if p > min(can[a])}
    for name, places in can.items():
        if len(places) == 1:  # a place that is settled is no one else's
            for other in can:
                if other != name:
                    can[other] -= places
    changed = can != before
orders = [dict(zip(objects, places)) for places in itertools.product(*can.values()) if len(set(places)) == len(objects)]
place = next(p for p in orders if all(satisfied(r, p) for r in rules))
print(can)
print(next(f"({k})" for k, claim in options.items() if satisfied(constraint(claim), place)))
"""


def deduction_worked(objects, statements, reading, order, claim, letter):
    """Places fixed by one statement each, then the orders left, each rejected by a statement it breaks."""
    fixed = [s for s in statements if sum(bool(re.search(r"\b" + re.escape(o.lower()) + r"\b", s.lower()))
                                          for o in objects) == 1]
    lines = [f"Number the places 1 to {len(objects)} {reading}."]
    if fixed:
        lines.append("Fixed: " + "; ".join(f"{s.rstrip('.')}, so place {1 + order.index(o)}" for s in fixed
                                           for o in objects if re.search(r"\b" + re.escape(o.lower()) + r"\b",
                                                                         s.lower())) + ".")
    candidates = [o for o in permutations(objects) if all(holds(s, o) for s in fixed)]
    lines.append(f"That leaves {len(candidates)} possible order{'s' * (len(candidates) > 1)}:")
    rejected = [(o, next(s for s in statements if not holds(s, o))) for o in candidates if tuple(o) != tuple(order)]
    lines += [f"{', '.join(o)}: breaks \"{s}\"" for o, s in rejected[:5]]
    if len(rejected) > 5:
        lines.append(f"... and each of the other {len(rejected) - 5} breaks a statement too.")
    lines.append(f"{', '.join(order)}: fits every statement.")
    lines.append(f"So {claim[0].lower() + claim[1:]}: ({letter}).")
    return "\n".join(lines)


def logical_deduction(item):
    """Every order tested against the statements (`itertools.permutations`); alternatives turn the statements
    into place constraints, then backtrack place by place, or narrow each one's candidate places and try what
    is left. The worked solution places what single statements fix, then rules out the other orders."""
    question = item["question"]
    paragraph = question.split("within each paragraph. ")[1].split("\nOptions")[0]
    listing, rest = paragraph.split(": ", 1)
    names_text, statements_text = rest.split(". ", 1)
    objects = [re.sub(r"^(?:and )?(?:an? )?", "", name) for name in names_text.split(", ")]
    statements = [s.strip() for s in re.findall(r"[^.]+\.", statements_text)]
    options = _options(question)
    orders = consistent_orders(objects, statements)
    chosen = [k for k, claim in options.items() if orders and all(holds(claim, o) for o in orders)]
    data = {"objects": objects, "statements": statements, "options": options}
    reading = next((how for kind, how in READINGS.items() if listing.endswith(kind)), "from left to right")
    worked = None
    if len(orders) == 1 and len(chosen) == 1:
        worked = deduction_worked(objects, statements, reading, orders[0], options[chosen[0]], chosen[0])
    return Solution(
        code=script_with_functions(data, holds, consistent_orders,
                                   last="orders = consistent_orders(objects, statements)\n"
                                        "print(orders)\n"
                                        "print(next(f'({k})' for k, claim in options.items() "
                                        "if all(holds(claim, o) for o in orders)))"),
        alternatives=(script(data, DEDUCTION_BACKTRACK, "import re"),
                      script(data, DEDUCTION_CANDIDATES, "import itertools\nimport re")),
        worked=worked)


# object_counting: a lexicon of categories, number words, plurals.

def counted(items, question):
    """The items of the category the question asks about ("objects": all of them), each with its number."""
    categories = {
        "musical instruments": {"accordion", "banjo", "cello", "clarinet", "drum", "flute", "guitar", "harp",
                                "piano", "saxophone", "trombone", "trumpet", "tuba", "violin"},
        "fruits": {"apple", "apricot", "banana", "blackberry", "blueberry", "cherry", "grape", "lemon", "mango",
                   "nectarine", "orange", "peach", "pear", "plum", "raspberry", "strawberry"},
        "vegetables": {"broccoli", "cabbage", "carrot", "cauliflower", "celery", "garlic", "lettuce", "onion",
                       "pea", "potato", "spinach", "yam"},
        "animals": {"bear", "cat", "chicken", "cow", "dog", "donkey", "duck", "fish", "frog", "goat", "horse",
                    "mouse", "pig", "rabbit", "sheep", "snail", "snake"},
    }
    numbers = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
               "eight": 8, "nine": 9, "ten": 10}
    irregular = {"mice": "mouse", "fish": "fish", "sheep": "sheep"}

    def singular(word):
        if word in irregular:
            return irregular[word]
        for plural, ending in (("ies", "y"), ("oes", "o"), ("ches", "ch"), ("s", "")):
            if word.endswith(plural):
                return word[: -len(plural)] + ending
        return word

    category = question.split("How many ")[1].split(" do I have")[0]
    return [(thing, numbers[thing.split()[0]]) for thing in items if category == "objects" or
            any(w in categories[category] or singular(w) in categories[category] for w in thing.split()[1:])]


# The categories again, for the alternatives: one string of nouns per category.
COUNTING_LEXICON = """
KINDS = {
    "musical instruments": "accordion banjo cello clarinet drum flute guitar harp piano saxophone trombone trumpet "
                           "tuba violin",
    "fruits": "apple apricot banana blackberry blueberry cherry grape lemon mango nectarine orange peach pear plum "
              "raspberry strawberry",
    "vegetables": "broccoli cabbage carrot cauliflower celery garlic lettuce onion pea potato spinach yam",
    "animals": "bear cat chicken cow dog donkey duck fish frog goat horse mouse pig rabbit sheep snail snake",
}
NUMBERS = "zero one two three four five six seven eight nine ten".split()
"""
COUNTING_TALLY = COUNTING_LEXICON + r"""
kind_of = {noun: kind for kind, nouns in KINDS.items() for noun in nouns.split()}
tally = Counter()
for thing in items:
    amount, *words = thing.split()
    count = 1 if amount in ("a", "an") else NUMBERS.index(amount)
    stems = [stem for word in words
             for stem in (word, word[:-1], word[:-2], word[:-3] + "y", "mouse" * (word == "mice"))]
    kind = next((kind_of[stem] for stem in stems if stem in kind_of), "other")  # dogs, peaches, strawberries
    tally[kind] += count
    tally["objects"] += count
print(dict(tally))
print(tally[re.search(r"How many (.+) do I have", question)[1]])
"""
COUNTING_FILTER = COUNTING_LEXICON + r"""
asked = question.removeprefix("How many ").removesuffix(" do I have?")


def is_asked(thing):
    if asked == "objects":
        return True
    for noun in thing.split()[1:]:  # "two heads of broccoli", "a lettuce head"
        singular = re.sub(r"(ie|oe|che)?s$", lambda m: {"ie": "y", "oe": "o", "che": "ch"}.get(m[1], ""), noun)
        if {noun, singular, "mouse" if noun == "mice" else ""} & set(KINDS[asked].split()):
            return True
    return False


def number(word):
    return 1 if word in ("a", "an") else NUMBERS.index(word)


chosen = [thing for thing in items if is_asked(thing)]
print(chosen)
print(sum(number(thing.split()[0]) for thing in chosen))
"""


def object_counting(item):
    """The things of the asked category, each with its number, from a lexicon; alternatives tally every
    category at once, or filter the asked one with regex plurals. The worked solution goes down the list."""
    question = item["question"]
    listing, ask = question.split("\n")[0].split(". ")
    items = re.split(r", and |, | and ", listing.removeprefix("I have ").rstrip("."))
    found = counted(items, ask)
    kind = ask.split("How many ")[1].split(" do I have")[0]
    data = {"items": items, "question": ask}
    lines, total = [f"Counting the {kind}, item by item:"], 0
    for thing, n in found:
        total += n
        lines.append(f"{thing}: {n}, running total {total}")
    left_out = [thing for thing in items if thing not in dict(found)]
    if left_out:
        lines.append(f"Not {kind}: {', '.join(left_out)}.")
    lines.append(f"So the answer is {total}.")
    return Solution(
        code=script_with_functions(data, counted,
                                   last="found = counted(items, question)\n"
                                        "print(found)\nprint(sum(n for _, n in found))"),
        alternatives=(script(data, COUNTING_TALLY, "import re\nfrom collections import Counter"),
                      script(data, COUNTING_FILTER, "import re")),
        worked="\n".join(lines))


# temporal_sequences: the hours that no sighting covers, between waking up and closing time.

def hour(time):
    """'7am' -> 7, '12pm' -> 12, '9pm' -> 21."""
    number = int(time[:-2]) % 12
    return number + 12 if time.endswith("pm") else number


def free_hours(facts):
    """The hours when the person was awake, the place open, and nobody saw them elsewhere."""
    times = [re.findall(r"\d+[ap]m", fact) for fact in facts]
    woke, closed = hour(times[0][0]), hour(times[-1][0])
    seen = {h for pair in times[1:-1] for h in range(hour(pair[0]), hour(pair[1]))}
    return [h for h in range(woke, closed) if h not in seen]


TEMPORAL_LAST = """\
free = free_hours(facts)
print('free hours:', free)
for letter, slot in options.items():
    start, end = slot.split(' to ')
    if all(h in free for h in range(hour(start), hour(end))):
        print(f'({letter})')
        break"""


TEMPORAL_CHECK = """\
# the chosen slot must lie between waking up and closing time and overlap no sighting
start, end = (hour(t) for t in options[answer.strip('()')].split(' to '))
woke, closed = (hour(re.findall(r'\\d+[ap]m', fact)[0]) for fact in (facts[0], facts[-1]))
assert woke <= start < end <= closed, 'not while awake and open'
for fact in facts[1:-1]:
    seen_from, seen_to = (hour(t) for t in re.findall(r'\\d+[ap]m', fact))
    assert end <= seen_from or seen_to <= start, 'overlaps: ' + fact
print('check passed')"""


TEMPORAL_GAPS = r"""
def hour(time):
    return int(time[:-2]) % 12 + 12 * time.endswith("pm")


spans = sorted(tuple(hour(t) for t in re.findall(r"\d+[ap]m", fact)) for fact in facts[1:-1])
woke, closed = (hour(re.findall(r"\d+[ap]m", fact)[0]) for fact in (facts[0], facts[-1]))
gaps, free_from = [], woke  # sweep the sightings in time order; what lies between them is free
for seen_from, seen_to in spans + [(closed, closed)]:
    if seen_from > free_from:
        gaps.append((free_from, seen_from))
    free_from = max(free_from, seen_to)
print("free:", gaps)
for letter, slot in options.items():
    start, end = (hour(t) for t in slot.split(" to "))
    if any(a <= start and end <= b for a, b in gaps):
        print(f"({letter})")
        break
"""
TEMPORAL_DATETIME = r"""
def at(time):
    return datetime.strptime(time, "%I%p")


woke, closed = (at(re.findall(r"\d+[ap]m", fact)[0]) for fact in (facts[0], facts[-1]))
sightings = [tuple(map(at, re.findall(r"\d+[ap]m", fact))) for fact in facts[1:-1]]
for letter, slot in options.items():
    start, end = map(at, slot.split(" to "))
    missed = all(end <= seen_from or seen_to <= start for seen_from, seen_to in sightings)
    if woke <= start and end <= closed and missed:
        print(f"({letter})")
        break
"""


def clock(h):
    """7 -> '7am', 12 -> '12pm', 21 -> '9pm'."""
    return f"{h % 12 or 12}{'am' if h < 12 else 'pm'}"


def temporal_sequences(item):
    """The hours nobody saw the person, awake and before closing; alternatives sweep the sightings for the gaps
    between them, or test each option against every sighting with `datetime`. The worked solution lists the
    sightings in time order and finds the gap."""
    question = item["question"]
    facts = question.split("We know that:\n")[1].split("\nBetween")[0].split("\n")
    options = _options(question)
    free = free_hours(facts)
    letter = next((k for k, slot in options.items()
                   if all(h in free for h in range(hour(slot.split(" to ")[0]), hour(slot.split(" to ")[1])))), "?")
    name = facts[0].split()[0]
    data = {"facts": facts, "options": options}
    spans = sorted((hour(a), hour(b)) for a, b in (re.findall(r"\d+[ap]m", fact) for fact in facts[1:-1]))
    gaps = []  # the free hours joined into spans
    for h in free:
        if gaps and gaps[-1][1] == h:
            gaps[-1][1] = h + 1
        else:
            gaps.append([h, h + 1])
    worked = "\n".join([
        f"{name} is awake from {clock(hour(facts[0].split()[-1].rstrip('.')))} and the place closes at "
        f"{clock(hour(facts[-1].split()[-1].rstrip('.')))}.",
        "Seen elsewhere, in time order: " + ", ".join(f"{clock(a)} to {clock(b)}" for a, b in spans) + ".",
        "Left uncovered: " + ", ".join(f"{clock(a)} to {clock(b)}" for a, b in gaps) + ".",
        f"The option inside that free time is {options.get(letter)}. So the answer is ({letter})."])
    return Solution(
        code=script_with_functions(data, hour, free_hours, last=TEMPORAL_LAST),
        check=script_with_functions(data, hour, imports="import re", last=TEMPORAL_CHECK),
        alternatives=(script(data, TEMPORAL_GAPS, "import re"),
                      script(data, TEMPORAL_DATETIME, "import re\nfrom datetime import datetime")),
        worked=worked)


# geometric_shapes: the path's distinct vertices and its kinds of segments name the shape.

def shape(path):
    """The shape an SVG path draws (only M, L and A commands occur in these questions). Where a special
    case has a general name among the options, the questions use the general one (a circle is an ellipse)."""
    tokens = path.replace(",", " ").split()
    points, arcs, lines, i = [], 0, 0, 0
    while i < len(tokens):
        command = tokens[i]
        end = tokens[i + 6: i + 8] if command == "A" else tokens[i + 1: i + 3]
        arcs, lines = arcs + (command == "A"), lines + (command == "L")
        point = (float(end[0]), float(end[1]))
        if point not in points:
            points.append(point)
        i += 8 if command == "A" else 3
    if arcs:
        return "sector" if lines else "ellipse"  # only arcs: an ellipse (circles too, by the general name)
    if len(points) == 2:
        return "line"
    if len(points) != 4:
        return {3: "triangle", 5: "pentagon", 6: "hexagon", 7: "heptagon", 8: "octagon"}[len(points)]
    sides = [(points[(k + 1) % 4][0] - points[k][0], points[(k + 1) % 4][1] - points[k][1]) for k in range(4)]
    length = [(dx * dx + dy * dy) ** 0.5 for dx, dy in sides]
    close = lambda a, b: abs(a - b) < 0.01 * max(abs(a), abs(b), 1)
    if (close(length[0], length[1]) and close(length[2], length[3])) or \
            (close(length[1], length[2]) and close(length[3], length[0])):
        return "kite"  # two pairs of equal adjacent sides
    parallel = lambda k: abs(sides[k][0] * sides[k + 2][1] - sides[k][1] * sides[k + 2][0]) < \
        0.01 * length[k] * length[k + 2]  # the sine of the angle between opposite sides is about 0
    if parallel(0) or parallel(1):
        return "trapezoid"  # a pair of parallel sides; rectangles too: these questions use the general name
    return "quadrilateral"


GEOMETRIC_LAST = """\
drawn = shape(path)
print(drawn)
print(next(f'({k})' for k, name in options.items() if name == drawn))"""


GEOMETRIC_REGEX = r"""
commands = re.findall(r"([MLA])([^MLA]*)", path)
points = list(dict.fromkeys(tuple(map(float, re.findall(r"-?[\d.]+", args)[-2:])) for _, args in commands))
kinds = {command for command, _ in commands}
NAMES = {2: "line", 3: "triangle", 5: "pentagon", 6: "hexagon", 7: "heptagon", 8: "octagon"}
if "A" in kinds:
    drawn = "sector" if "L" in kinds else "ellipse"
elif len(points) != 4:
    drawn = NAMES[len(points)]
else:
    sides = [math.dist(points[k], points[(k + 1) % 4]) for k in range(4)]
    if any(math.isclose(sides[k], sides[k + 1], rel_tol=0.01) and
           math.isclose(sides[k + 2], sides[(k + 3) % 4], rel_tol=0.01) for k in (0, 1)):
        drawn = "kite"
    else:
        vectors = [(points[(k + 1) % 4][0] - points[k][0], points[(k + 1) % 4][1] - points[k][1]) for k in range(4)]
        parallel = [abs(vectors[k][0] * vectors[k + 2][1] - vectors[k][1] * vectors[k + 2][0]) <
                    0.01 * sides[k] * sides[k + 2] for k in (0, 1)]
        drawn = "trapezoid" if any(parallel) else "quadrilateral"
print(drawn)
print(next(f"({k})" for k, name in options.items() if name == drawn))
"""
GEOMETRIC_COMPLEX = r"""
tokens = path.replace(",", " ").split()
corners, arcs, lines = [], 0, 0
for i, token in enumerate(tokens):  # every command's end point (an arc's is its last two numbers)
    if token in "MLA":
        numbers = tokens[i + 1:i + (8 if token == "A" else 3)]
        corner = complex(float(numbers[-2]), float(numbers[-1]))
        arcs, lines = arcs + (token == "A"), lines + (token == "L")
        if corner not in corners:
            corners.append(corner)
if arcs:
    drawn = "sector" if lines else "ellipse"
elif len(corners) == 4:
    edges = [corners[(k + 1) % 4] - corners[k] for k in range(4)]
    lengths = [abs(e) for e in edges]
    near = lambda a, b: abs(a - b) <= 0.01 * max(a, b)
    if any(near(lengths[k], lengths[k + 1]) and near(lengths[k + 2], lengths[(k + 3) % 4]) for k in (0, 1)):
        drawn = "kite"
    else:  # opposite edges are parallel when their ratio is (nearly) a real number
        drawn = "trapezoid" if any(abs((edges[k] / edges[k + 2]).imag) < 0.01 for k in (0, 1)) else "quadrilateral"
else:
    drawn = ["", "", "line", "triangle", "", "pentagon", "hexagon", "heptagon", "octagon"][len(corners)]
print(drawn)
print(next(f"({k})" for k, name in options.items() if name == drawn))
"""


def geometric_worked(path, drawn, letter):
    """The path's commands and distinct end points, then what they make."""
    commands = re.findall(r"([MLA])([^MLA]*)", path)
    points = list(dict.fromkeys(tuple(re.findall(r"-?[\d.]+", args)[-2:]) for _, args in commands))
    kinds = {command for command, _ in commands}
    lines = [f"The path has {len(commands)} commands: " +
             ", ".join(f"{n} {name}" for name, n in (("M (move)", sum(c == "M" for c, _ in commands)),
                                                      ("L (line)", sum(c == "L" for c, _ in commands)),
                                                      ("A (arc)", sum(c == "A" for c, _ in commands))) if n) + "."]
    if "A" in kinds:
        lines.append("An arc " + ("joined to straight lines from its centre makes a sector." if "L" in kinds
                                  else "with no straight lines closes into an ellipse (a circle is one)."))
    else:
        lines.append(f"Its distinct points: {', '.join(f'({x}, {y})' for x, y in points)}: {len(points)} of them.")
        if len(points) == 4:
            corners = [(float(x), float(y)) for x, y in points]
            sides = [((corners[(k + 1) % 4][0] - corners[k][0]) ** 2 + (corners[(k + 1) % 4][1] - corners[k][1]) ** 2)
                     ** 0.5 for k in range(4)]
            lines.append(f"Four corners; the sides in turn are {', '.join(f'{v:.2f}' for v in sides)} long, " +
                         {"kite": "two pairs of equal adjacent sides: a kite.",
                          "trapezoid": "not a kite, but two opposite sides are parallel: a trapezoid."}.get(
                              drawn, "neither a kite nor with parallel sides."))
        else:
            lines.append(f"{len(points)} points joined by straight lines make a {drawn}.")
    lines.append(f"So it draws a {drawn}: ({letter}).")
    return "\n".join(lines)


def geometric_shapes(item):
    """The shape from the path's distinct points and kinds of segments; alternatives read the commands with a
    regex and measure with `math`, or take the corners as complex numbers. The worked solution counts the
    commands and points."""
    question = item["question"]
    path = re.search(r'd="([^"]+)"', question)[1]
    options = _options(question)
    drawn = shape(path)
    letter = next((k for k, name in options.items() if name == drawn), "?")
    data = {"path": path, "options": options}
    return Solution(code=script_with_functions(data, shape, last=GEOMETRIC_LAST),
                    alternatives=(script(data, GEOMETRIC_REGEX, "import math\nimport re"),
                                  script(data, GEOMETRIC_COMPLEX)),
                    worked=geometric_worked(path, drawn, letter))


# reasoning_about_colored_objects: parse the things into (count, colour, noun), then answer by question type.

def colored_things(items, question):
    """The answer to a question about coloured things (in a row, where the question says so): a colour,
    a count or yes/no."""
    colors = {"red", "orange", "yellow", "green", "blue", "brown", "magenta", "fuchsia", "mauve", "teal",
              "turquoise", "burgundy", "silver", "gold", "black", "grey", "purple", "pink"}
    numbers = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
    number_words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen"]

    def singular(noun):  # 'pairs of sunglasses' -> 'pair of sunglasses', 'dog leashes' -> 'dog leash'
        words = noun.split()
        k = words.index("of") - 1 if "of" in words else len(words) - 1
        if words[k].endswith(("shes", "ches", "sses", "xes")):
            words[k] = words[k][:-2]
        elif words[k].endswith("s") and not words[k].endswith("ss"):
            words[k] = words[k][:-1]
        return " ".join(words)

    def parse(phrase):  # 'two red cups' -> (2, 'red', 'cup'); 'the grey item' -> (1, 'grey', None)
        words = phrase.split()
        count = numbers.get(words[0], 1)
        if words[0] in numbers or words[0] == "the":
            words = words[1:]
        color = words.pop(0) if words and words[0] in colors else None
        noun = singular(" ".join(words)) if words else None
        return count, color, None if noun in ("item", "object", "thing") else noun

    def matches(phrase, thing):
        _, color, noun = parse(phrase)
        return color in (None, thing[1]) and noun in (None, thing[2])

    def index(phrase):
        return next(i for i, thing in enumerate(row) if matches(phrase, thing))

    row = [parse(item) for item in items]
    if m := re.search(r"remove all the (.+?) from the \w+, how many (.+?) remain", question):
        return number_words[sum(t[0] for t in row if matches(m[2], t) and not matches(m[1], t))]
    if m := re.search(r"What color is the (.+)\?", question):
        return row[index(m[1])][1]
    if m := re.search(r"Is the (.+) (\w+)\?", question):
        return "yes" if row[index(m[1])][1] == m[2] else "no"
    if m := re.search(r"the (left|right)-most \w+\?", question):
        return row[0 if m[1] == "left" else -1][1]
    if m := re.search(r"directly to the (left|right) of the (.+)\?", question):
        return row[index(m[2]) + (-1 if m[1] == "left" else 1)][1]
    if m := re.search(r"How many non-(\w+) \w+ do you see to the (left|right) of the (.+)\?", question):
        i = index(m[3])
        side = row[:i] if m[2] == "left" else row[i + 1:]
        return number_words[sum(t[0] for t in side if t[1] != m[1])]
    if m := re.search(r"How many \w+ are neither (\w+) nor (\w+)\?", question):
        return number_words[sum(t[0] for t in row if t[1] not in (m[1], m[2]))]
    if m := re.search(r"furthest from the (.+)\?", question):
        i = index(m[1])
        return row[0 if i >= len(row) - 1 - i else -1][1]
    raise ValueError("a question of a kind this script does not know: " + question)


COLORED_LAST = """\
value = colored_things(items, question)
print(value)
print(next(f'({k})' for k, text in options.items() if text == value))"""


COLORED_BY_STEMS = r"""
COLORS = ("red orange yellow green blue brown magenta fuchsia mauve teal turquoise burgundy silver gold black grey "
          "purple pink")
WORDS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen".split()
AMOUNTS = {"a": 1, "an": 1, **{word: n for n, word in enumerate(WORDS)}}


def stem(word):  # the same stem for a noun's singular and plural: "leashes" and "leash", "cups" and "cup"
    return word[:-2] if word.endswith(("shes", "ches", "sses", "xes")) else word[:-1] if word.endswith("s") else word


def described(phrase):  # "two red cups" -> (2, "red", ("cup",)); "the grey item" -> (1, "grey", ())
    words = [w for w in phrase.split() if w != "the"]
    count = AMOUNTS[words.pop(0)] if words[0] in AMOUNTS else 1
    color = words.pop(0) if words and words[0] in COLORS.split() else None
    nouns = tuple(stem(w) for w in words)
    return count, color, () if nouns in (("item",), ("object",), ("thing",)) else nouns


row = [described(phrase) for phrase in items]


def fits(phrase, thing):
    _, color, nouns = described(phrase)
    return color in (None, thing[1]) and nouns in ((), thing[2])


def where(phrase):
    return [i for i, thing in enumerate(row) if fits(phrase, thing)][0]


if m := re.search(r"remove all the (.+?) from the \w+, how many (.+?) remain", question):
    answer = WORDS[sum(t[0] for t in row if fits(m[2], t) and not fits(m[1], t))]
elif m := re.search(r"What color is the (.+)\?", question):
    answer = row[where(m[1])][1]
elif m := re.search(r"Is the (.+) (\w+)\?", question):
    answer = "yes" if row[where(m[1])][1] == m[2] else "no"
elif m := re.search(r"the (left|right)-most \w+\?", question):
    answer = row[0 if m[1] == "left" else -1][1]
elif m := re.search(r"directly to the (left|right) of the (.+)\?", question):
    answer = row[where(m[2]) + (1 if m[1] == "right" else -1)][1]
elif m := re.search(r"How many non-(\w+) \w+ do you see to the (left|right) of the (.+)\?", question):
    i = where(m[3])
    answer = WORDS[sum(t[0] for t in (row[i + 1:] if m[2] == "right" else row[:i]) if t[1] != m[1])]
elif m := re.search(r"How many \w+ are neither (\w+) nor (\w+)\?", question):
    answer = WORDS[sum(t[0] for t in row if t[1] not in (m[1], m[2]))]
else:
    i = where(re.search(r"furthest from the (.+)\?", question)[1])
    answer = row[0 if i >= len(row) - 1 - i else -1][1]
print(answer)
print(next(f"({k})" for k, text in options.items() if text == answer))
"""


def reasoning_about_colored_objects(item):
    """The things parsed into (count, colour, noun) and the question answered by its kind; the alternative
    matches the question's phrases by noun stems. The worked solution numbers the row with each thing's
    colour, then answers."""
    text, options = item["question"].split("\nOptions:")[0], _options(item["question"])
    listing, question = re.match(r"On the \w+, (?:[^:.]*: |I see |you see |there is |there are )(.+?)\. ([A-Z].*)",
                                 text).groups()
    items = re.split(r", and |, | and ", listing)
    data = {"items": items, "question": question, "options": options}
    value = colored_things(items, question)
    letter = next((k for k, option in options.items() if option == value), "?")
    worked = "\n".join(["In order: " + "; ".join(f"{k}. {thing}" for k, thing in enumerate(items, 1)) + ".",
                        f"{question} Going through the list: {value}.", f"So the answer is ({letter})."])
    return Solution(code=script_with_functions(data, colored_things, last=COLORED_LAST),
                    alternatives=(script(data, COLORED_BY_STEMS, "import re"),),
                    worked=worked)


# hyperbaton: English orders adjectives opinion, size, age, shape, colour, origin, material, purpose.

ADJECTIVE_ORDER = [  # the words of each kind, in the standard order of kinds
    "lovely nice good wonderful awful terrible silly mysterious ridiculous repulsive obnoxious",  # opinion
    "tiny little small midsize medium-size normal-size large big huge enormous massive",  # size
    "new brand-new old old-fashioned ancient archaic",  # age
    "square circular rectangular triangular spherical pyramidal prismlike",  # shape
    "red orange yellow green blue purple pink brown tan black white grey gray",  # colour
    "American Bangladeshi Brazilian Chinese Congolese Egyptian Ethiopian Filipino German Indian Indonesian "
    "Iranian Japanese Mexican Nigerian Pakistani Russian Thai Turkish Vietnamese",  # origin
    "cloth fiberglass paper cardboard wool rubber iron lead glass steel wood plastic leather gold silver",  # material
    "smoking snorkeling exercise walking drinking hiking driving typing eating whittling",  # purpose
]
ADJECTIVE_KINDS = ["opinion", "size", "age", "shape", "colour", "origin", "material", "purpose"]


def in_order(phrase):
    """Whether the adjectives before the noun follow the standard order (each kind at least the one before)."""
    rank = {word: k for k, words in enumerate(ADJECTIVE_ORDER) for word in words.split()}
    ranks = [rank[word] for word in phrase.split()[:-1]]
    return ranks == sorted(ranks)


def kind(word):
    """The kind of an adjective, as its place in the standard order."""
    return next(k for k, words in enumerate(ADJECTIVE_ORDER) if word in words.split())


HYPERBATON_RESORT = """
for letter, phrase in options.items():
    adjectives = phrase.split()[:-1]
    if sorted(adjectives, key=kind) == adjectives:  # already in the standard order
        print(f"({letter})")
        break
"""
HYPERBATON_INVERSIONS = """
def inversions(phrase):  # pairs of adjectives in the wrong order
    return sum(kind(a) > kind(b) for a, b in itertools.combinations(phrase.split()[:-1], 2))


counts = {letter: inversions(phrase) for letter, phrase in options.items()}
print(counts)
print(f"({min(counts, key=counts.get)})")
"""


def hyperbaton(item):
    """The option whose adjectives' kinds never go down; alternatives sort the adjectives by kind and compare,
    or count the pairs out of order. The worked solution names each adjective's kind."""
    options = _options(item["question"])
    good = [k for k, phrase in options.items() if in_order(phrase)]
    data = {"options": options}
    worked = None
    if len(good) == 1:
        lines = ["The order is opinion, size, age, shape, colour, origin, material, purpose."]
        for letter, phrase in options.items():
            words = phrase.split()[:-1]
            kinds = ", ".join(f"{w} ({ADJECTIVE_KINDS[kind(w)]})" for w in words)
            lines.append(f"({letter}) {kinds}: {'in order' if in_order(phrase) else 'out of order'}.")
        lines.append(f"So the answer is ({good[0]}).")
        worked = "\n".join(lines)
    return Solution(
        code=script_with_functions({"options": options}, in_order,
                                   last="print(next(f'({k})' for k, phrase in options.items() if in_order(phrase)))"),
        alternatives=(script_with_functions(data, kind, last=HYPERBATON_RESORT),
                      script_with_functions(data, kind, last=HYPERBATON_INVERSIONS, imports="import itertools")),
        worked=worked)


WRITERS = {
    "boolean_expressions": boolean_expressions,
    "multistep_arithmetic_two": multistep_arithmetic_two,
    "navigate": navigate,
    "tracking_shuffled_objects_seven_objects": tracking_shuffled_objects,
    "web_of_lies": web_of_lies,
    "logical_deduction_three_objects": logical_deduction,
    "logical_deduction_five_objects": logical_deduction,
    "object_counting": object_counting,
    "temporal_sequences": temporal_sequences,
    "geometric_shapes": geometric_shapes,
    "reasoning_about_colored_objects": reasoning_about_colored_objects,
    "hyperbaton": hyperbaton,
}
