"""The scripted teacher's program writers for BIG-Bench Hard tasks, keyed by task name (conventions:
r1ci.tasks.teaching).

BBH questions are templated text, so a writer splits the question into its values (the data block) and the
script does the reasoning. Each task's reasoning is a plain function here, written once: the writer pastes
its source into the script (`script_with_functions`; the sandbox runs it there), and where a worked solution
in words is short, the writer calls the function itself to write it from the same computation, so the two
never disagree. Such a function must be self-contained (its imports are the script's), since its source runs
alone.

Writers read the question as a solver would, from its text: they use nothing of `r1ci.tasks.bbh` (which finds
its writers here), only the question's layout, such as its "(A) ..." option lines. Not here: the other 15 BBH
tasks (the 7 of the test split, and 8 train tasks that need world knowledge or a judgement of language, which
no short program supplies).
"""

import re
from itertools import permutations

from r1ci.tasks.teaching import Solution, script_with_functions

OPTION = r"^\(([A-Z])\)\s*(.*)$"  # an option line of a multiple-choice question: "(A) text"


def _options(question):
    """Option letter -> the option's text, exactly as the question writes it."""
    return dict(re.findall(OPTION, question, re.MULTILINE))


def _expression(item, end):
    """Questions that are one Python expression followed by `end`: the script prints it, copied verbatim."""
    expression = item["question"].split(end)[0].strip()
    return Solution(code=f"print({expression})")


def boolean_expressions(item):
    return _expression(item, " is\n")


def multistep_arithmetic_two(item):
    return _expression(item, " =\n")


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


def navigate(item):
    moves = item["question"].split("starting point? ")[1].split("\nOptions")[0]
    instructions = [s.strip() for s in re.findall(r"[^.]+\.", moves)]
    x, y = walk(instructions)
    answer = "Yes" if (x, y) == (0, 0) else "No"
    return Solution(
        code=script_with_functions({"instructions": instructions}, walk,
                                   last="print('Yes' if walk(instructions) == (0, 0) else 'No')"),
        check=script_with_functions({"instructions": instructions}, last=NAVIGATE_CHECK),
        worked=f"Tracking position with x to the right and y forward (turns rotate the facing), the moves end "
               f"at ({x}, {y}), {'the' if answer == 'Yes' else 'not the'} starting point. So the answer is {answer}.")


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


def tracking_shuffled_objects(item):
    question = item["question"]
    setup = question.split(": ", 1)[1].split(".\n")[0]
    at_start = dict(re.findall(r"([A-Z][a-z]+) (?:is playing|is dancing with|has an?|gets) (.+?)(?:, and |, |$)", setup))
    swaps = re.findall(r"([A-Z][a-z]+) and ([A-Z][a-z]+) (?:swap|switch|trade)", question.split(".\n", 1)[1])
    person = re.search(r"At the end of [^,]+, ([A-Z][a-z]+)", question)[1]
    options = _options(question)
    data = {"at_start": at_start, "swaps": swaps, "person": person, "options": options}
    final = swap_all(at_start, swaps)
    letter = next((k for k, v in options.items() if v == final[person]), "?")
    return Solution(
        code=script_with_functions(data, swap_all,
                                   last="final = swap_all(at_start, swaps)\n"
                                        "print(final)\n"
                                        "print(next(f'({k})' for k, v in options.items() if v == final[person]))"),
        check=script_with_functions(data, last=TRACKING_CHECK),
        worked=f"Applying the {len(swaps)} swaps in order, at the end " +
               ", ".join(f"{name} has {thing}" for name, thing in final.items()) +
               f". So {person} ends with {final[person]}: ({letter}).")


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


def web_of_lies(item):
    body = item["question"].split("Question: ", 1)[1].split("\n")[0]
    sentences = [s.strip() for s in re.findall(r"[^.?]+[.?]", body)]
    statements, question = sentences[:-1], sentences[-1]
    truthful = truth_values(statements)
    person = question.split()[1]
    steps = [statements[0]] + [f"{s.split()[0]} {'tells the truth' if truthful[s.split()[0]] else 'lies'}"
                               for s in statements[1:]]
    data = {"statements": statements, "question": question}
    return Solution(
        code=script_with_functions(data, truth_values,
                                   last="truthful = truth_values(statements)\n"
                                        "print('Yes' if truthful[question.split()[1]] else 'No')"),
        check=script_with_functions(data, last=WEB_OF_LIES_CHECK),
        worked="Following the chain: " + "; so ".join(s.rstrip(".") for s in steps) +
               f". So the answer is {'Yes' if truthful[person] else 'No'}.")


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


def logical_deduction(item):
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
        claim = options[chosen[0]]
        worked = (f"The only order consistent with all the statements, {reading}, is {', '.join(orders[0])}. "
                  f"So {claim.replace('The ', 'the ', 1)}: ({chosen[0]}).")
    return Solution(
        code=script_with_functions(data, holds, consistent_orders,
                                   last="orders = consistent_orders(objects, statements)\n"
                                        "print(orders)\n"
                                        "print(next(f'({k})' for k, claim in options.items() "
                                        "if all(holds(claim, o) for o in orders)))"),
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


def object_counting(item):
    question = item["question"]
    listing, ask = question.split("\n")[0].split(". ")
    items = re.split(r", and |, | and ", listing.removeprefix("I have ").rstrip("."))
    found = counted(items, ask)
    total = sum(n for _, n in found)
    kind = ask.split("How many ")[1].split(" do I have")[0]
    return Solution(
        code=script_with_functions({"items": items, "question": ask}, counted,
                                   last="found = counted(items, question)\n"
                                        "print(found)\nprint(sum(n for _, n in found))"),
        worked=f"The {kind}: " + ", ".join(thing for thing, _ in found) +
               f"; that makes {' + '.join(str(n) for _, n in found)} = {total}.")


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


def temporal_sequences(item):
    question = item["question"]
    facts = question.split("We know that:\n")[1].split("\nBetween")[0].split("\n")
    options = _options(question)
    free = free_hours(facts)
    letter = next((k for k, slot in options.items()
                   if all(h in free for h in range(hour(slot.split(" to ")[0]), hour(slot.split(" to ")[1])))), "?")
    name = facts[0].split()[0]
    data = {"facts": facts, "options": options}
    return Solution(
        code=script_with_functions(data, hour, free_hours, last=TEMPORAL_LAST),
        check=script_with_functions(data, hour, imports="import re", last=TEMPORAL_CHECK),
        worked=f"{name} is accounted for from waking up to closing time except during {options.get(letter)}, "
               f"so that is when {name} could have gone: ({letter}).")


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


def geometric_shapes(item):
    question = item["question"]
    path = re.search(r'd="([^"]+)"', question)[1]
    options = _options(question)
    drawn = shape(path)
    letter = next((k for k, name in options.items() if name == drawn), "?")
    return Solution(code=script_with_functions({"path": path, "options": options}, shape, last=GEOMETRIC_LAST),
                    worked=f"Following the path's moves, lines and arcs, it draws a {drawn}: ({letter}).")


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


def reasoning_about_colored_objects(item):
    text, options = item["question"].split("\nOptions:")[0], _options(item["question"])
    listing, question = re.match(r"On the \w+, (?:[^:.]*: |I see |you see |there is |there are )(.+?)\. ([A-Z].*)",
                                 text).groups()
    items = re.split(r", and |, | and ", listing)
    data = {"items": items, "question": question, "options": options}
    return Solution(code=script_with_functions(data, colored_things, last=COLORED_LAST))


# hyperbaton: English orders adjectives opinion, size, age, shape, colour, origin, material, purpose.

def in_order(phrase):
    """Whether the adjectives before the noun follow the standard order (each kind at least the one before)."""
    kinds = [
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
    rank = {word: k for k, words in enumerate(kinds) for word in words.split()}
    ranks = [rank[word] for word in phrase.split()[:-1]]
    return ranks == sorted(ranks)


def hyperbaton(item):
    options = _options(item["question"])
    good = [k for k, phrase in options.items() if in_order(phrase)]
    return Solution(
        code=script_with_functions({"options": options}, in_order,
                                   last="print(next(f'({k})' for k, phrase in options.items() if in_order(phrase)))"),
        worked=f"Adjectives go opinion, size, age, shape, colour, origin, material, purpose; only "
               f"\"{options[good[0]]}\" follows that order: ({good[0]})." if len(good) == 1 else None)


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
