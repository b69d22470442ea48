"""Path planning (CodeSteer's "path_plan_continuous"): a robot in a walled square room full of coloured
rectangular boxes must go from a start to an end position, entering some boxes and never touching others.

The answer is a list of waypoints `[(x0, y0), (x1, y1), ...]` joined by straight segments. It must begin at
the start and finish at the end, never touch the black walls (every point strictly inside the room, which is
convex), and its segments must meet every box to enter and no box to avoid; boxes are closed, so touching a
boundary counts as entering. Any such trajectory is accepted. The geometry is exact: the numbers are read as
the decimals written, and segments are clipped against boxes with fractions.

CodeSteer's instances are hard-coded in its benchmark script (14 layouts x 10 instructions) and published
no dataset folder, so `load_codesteer` yields nothing. The generator draws new layouts and instantiates the
benchmark's instruction patterns with random colours.
"""

import ast
import heapq
import math
import random
from dataclasses import dataclass
from fractions import Fraction

from r1ci.tasks.symbench.base import Incorrect, SymbenchConfig, SymbenchCurriculum, SymbenchDataset, knob
from r1ci.tasks.teaching import Solution, meta, script

WALLS = [(-1.5, -1.4, -1.5, 1.5), (1.4, 1.5, -1.5, 1.5), (-1.5, 1.5, -1.5, -1.4), (-1.5, 1.5, 1.4, 1.5)]
ROOM = Fraction("1.4")  # the free room is the open square (-ROOM, ROOM)^2 inside the walls
COLORS = ("yellow", "red", "green", "blue", "pink", "purple", "orange")
MAX_WAYPOINTS = 200

# CodeSteer's instructions as patterns: (text, how many boxes to enter, how many to avoid; -1 = all the others).
INSTRUCTIONS = [
    ("Navigate into the {0} room and go to the {1} room.", 2, 0),
    ("Navigate into the {0} room, go to the {1} room, and to the {2} room, and to the {3} room.", 4, 0),
    ("Navigate into the {0} room, go to the {1} room, and to the {2} room, and to the {3} room. "
     "Remember do not enter the {4} area all the time.", 4, 1),
    ("Visit {0} region during your trajectory, but never enter all the other colored boxes.", 1, -1),
    ("Navigate into the {0} room and go to the {1} room. Remember do not enter the {2} area all the time.", 2, 1),
    ("Navigate into the {0} room and go to the {1} room. "
     "Remember do not enter the {2}, {3}, and {4} areas all the time.", 2, 3),
    ("Navigate into the {0} room and go to the {1} room and go to the {2} room. "
     "Remember do not enter the {3} area all the time.", 3, 1),
    ("Visit {0}, {1}, and {2} areas, but remember never enter all the other colored areas.", 3, -1),
    ("At some point go to the {0} box, and at some point go to the {1} box, and enter the {2} box, "
     "and always do not enter the {3} area.", 3, 1),
]

# The solver keeps this clearance from boxes to avoid, and treats them as this much larger when testing
# segments in floating point, so that its (rounded) waypoints also pass the exact checker.
CLEARANCE = 0.05
SLACK = 1e-6


@dataclass
class PathPlanConfig(SymbenchConfig):
    """Layouts like CodeSteer's: seven boxes with sides of 0.2..0.8 on a 0.1 grid, at least 0.1 apart."""

    boxes: int = 7
    min_side: float = 0.2
    max_side: float = 0.8

    def validate(self) -> None:
        super().validate()
        self.require_range("boxes", 5, len(COLORS), "the instructions name up to five boxes")
        self.require_span("side", 0.1, 1.0)


class PathPlanCurriculum(SymbenchCurriculum):
    config_cls = PathPlanConfig
    definitions = (knob("boxes", [5, 6, 7], "boxes in the room, each one to enter, to avoid or in the way"),)


def render(metadata: dict) -> str:
    walls = ", ".join(str(w) for w in WALLS)
    boxes = ";".join(f" a {color} colored box {tuple(box)}" for color, box in metadata["boxes"].items())
    return (
        "I am a mobile robot and I hope you can help me plan the trajectory to fulfill the navigation instruction. "
        "I will give you the position and size of each box in the whole environment and the instruction is to "
        "enter or avoid the box. Each box is of square shape, I will give you (x_start, x_end, y_start, y_end) to "
        "describe the shape of squares/boxes. x_start, x_end denote the boundary of squares/boxes in x coordinates. "
        "y_start, y_end denote the boundary of squares/boxes in y coordinates.\n\n"
        f"First, there are four black colored walls with position {walls}. Then the boxes are:{boxes}.\n\n"
        "During navigation, the trajectory should always not touch the black wall. The starting position of the car "
        f"is {tuple(metadata['start'])}, the ending position of the car is {tuple(metadata['end'])}.\n\n"
        f"The instruction is '{metadata['instruction']}'. The car should fulfill the instruction and in the end stop "
        "at the end position. Could you give me the trajectory to realize the above instruction? Return your answer "
        "with a list of waypoints [(x0, y0), (x1, y1)...].\n\n"
        "Note that the whole trajectory is acquired by directly connecting the near waypoints with straight lines. "
        "These straight lines should also fulfill the instruction requirements. Particularly check whether the "
        "interpolated straight lines enter into the areas that should avoid.\n\n"
        "Note that entering in the area means the trajectory intersects with the box, including the boundary of the "
        "box. Hence, the trajectory should not intersect with the boundary of the box if the instruction is to avoid "
        "the box.\n\nReturn your answer with the format <<<list>>>, like <<<[(x0, y0), (x1, y1), ...]>>>."
    )


def segment_meets_box(p, q, box) -> bool:
    """Whether the closed segment pq meets the closed box (x0, x1, y0, y1): Liang-Barsky clipping. Exact on
    fractions; on floats the caller leaves slack."""
    t_low, t_high = 0, 1
    for start, delta, low, high in ((p[0], q[0] - p[0], box[0], box[1]), (p[1], q[1] - p[1], box[2], box[3])):
        if delta == 0:
            if not low <= start <= high:
                return False
            continue
        ta, tb = (low - start) / delta, (high - start) / delta
        t_low, t_high = max(t_low, min(ta, tb)), min(t_high, max(ta, tb))
        if t_low > t_high:
            return False
    return True


def exact(value) -> Fraction:
    """The decimal a number was written as (floats read back through their shortest repr)."""
    return Fraction(str(value)) if isinstance(value, float) else Fraction(value)


def parse_waypoints(answer: str) -> list[tuple[Fraction, Fraction]]:
    if len(answer) > 20_000:
        raise Incorrect("answer too long")
    try:
        value = ast.literal_eval(answer.strip())
    except (ValueError, SyntaxError, MemoryError):
        raise Incorrect("the answer is not a list of (x, y) waypoints") from None
    if not isinstance(value, (list, tuple)) or not value:
        raise Incorrect("the answer is not a list of (x, y) waypoints")
    if len(value) > MAX_WAYPOINTS:
        raise Incorrect(f"too many waypoints ({len(value)} > {MAX_WAYPOINTS})")
    points = []
    for point in value:
        if not (isinstance(point, (list, tuple)) and len(point) == 2
                and all(type(v) in (int, float) and math.isfinite(v) for v in point)):
            raise Incorrect(f"{str(point)[:40]} is not an (x, y) pair of numbers")
        points.append((exact(point[0]), exact(point[1])))
    return points


def format_waypoints(points) -> str:
    return "[" + ", ".join(f"({x}, {y})" for x, y in points) + "]"


def plan(metadata: dict) -> list[tuple[float, float]] | None:
    """A trajectory on the visibility graph of the avoided boxes' corners (pushed out by CLEARANCE): from the
    start, Dijkstra to the nearest point inside a box still to enter, and so on, then to the end. None if some
    box or the end cannot be reached this way."""
    boxes = metadata["boxes"]
    avoid = [boxes[c] for c in metadata["avoid"]]
    padded = [(b[0] - SLACK, b[1] + SLACK, b[2] - SLACK, b[3] + SLACK) for b in avoid]

    def free(p, margin: float) -> bool:
        inside = all(abs(v) < float(ROOM) - 0.01 for v in p)
        return inside and not any(b[0] - margin <= p[0] <= b[1] + margin and b[2] - margin <= p[1] <= b[3] + margin
                                  for b in avoid)

    def visible(p, q) -> bool:
        return not any(segment_meets_box(p, q, b) for b in padded)

    start, end = tuple(metadata["start"]), tuple(metadata["end"])
    if not (free(start, SLACK) and free(end, SLACK)):
        return None
    nodes = [start, end] + [
        (round(x, 3), round(y, 3)) for b in avoid for x in (b[0] - CLEARANCE, b[1] + CLEARANCE)
        for y in (b[2] - CLEARANCE, b[3] + CLEARANCE)
    ]
    nodes = nodes[:2] + [p for p in nodes[2:] if free(p, CLEARANCE / 2)]
    goals: dict[str, list[int]] = {}
    for color in metadata["enter"]:
        x0, x1, y0, y1 = boxes[color]
        inner = [(round(x0 + (x1 - x0) * fx, 3), round(y0 + (y1 - y0) * fy, 3))
                 for fx in (0.5, 0.2, 0.8) for fy in (0.5, 0.2, 0.8)]
        inner = [p for p in inner if free(p, CLEARANCE / 2)]
        if not inner:
            return None
        goals[color] = list(range(len(nodes), len(nodes) + len(inner)))
        nodes += inner
    edges: dict[int, list[int]] = {}

    def neighbours(i: int) -> list[int]:
        if i not in edges:
            edges[i] = [j for j in range(len(nodes)) if j != i and visible(nodes[i], nodes[j])]
        return edges[i]

    def shortest(source: int, targets: set[int]) -> list[int] | None:
        dist, parent, queue = {source: 0.0}, {source: None}, [(0.0, source)]
        while queue:
            d, i = heapq.heappop(queue)
            if i in targets:
                route = []
                while i is not None:
                    route.append(i)
                    i = parent[i]
                return route[::-1]
            if d > dist[i]:
                continue
            for j in neighbours(i):
                nd = d + math.dist(nodes[i], nodes[j])
                if nd < dist.get(j, math.inf):
                    dist[j], parent[j] = nd, i
                    heapq.heappush(queue, (nd, j))
        return None

    route, here, todo = [0], 0, dict(goals)
    while todo:
        leg = shortest(here, {i for ids in todo.values() for i in ids})
        if leg is None:
            return None
        route += leg[1:]
        here = leg[-1]
        todo = {c: ids for c, ids in todo.items() if here not in ids}
    leg = shortest(here, {1})
    if leg is None:
        return None
    route += leg[1:]
    return [nodes[i] for k, i in enumerate(route) if k == 0 or i != route[k - 1]]


class PathPlanDataset(SymbenchDataset):
    name = "path_plan"
    config_cls = PathPlanConfig
    curriculum_cls = PathPlanCurriculum

    def generate(self, rng: random.Random) -> tuple[str, dict]:
        def draw() -> dict | None:
            boxes = self._layout(rng)
            if boxes is None:
                return None
            spots = [(x / 10, y / 10) for x in range(-13, 14) for y in range(-13, 14)
                     if not any(b[0] - 0.1 <= x / 10 <= b[1] + 0.1 and b[2] - 0.1 <= y / 10 <= b[3] + 0.1
                                for b in boxes.values())]
            start, end = rng.sample(spots, 2)
            if math.dist(start, end) < 1.0:
                return None
            text, n_enter, n_avoid = rng.choice(INSTRUCTIONS)
            colors = rng.sample(list(boxes), len(boxes))
            enter = colors[:n_enter]
            avoid = colors[n_enter:] if n_avoid < 0 else colors[n_enter:n_enter + n_avoid]
            metadata = {"boxes": boxes, "start": list(start), "end": list(end),
                        "instruction": text.format(*enter, *avoid), "enter": enter, "avoid": avoid}
            return metadata if plan(metadata) is not None else None

        metadata = self.redraw(draw, "layout with a trajectory the planner finds")
        return render(metadata), metadata

    def _layout(self, rng: random.Random) -> dict[str, list[float]] | None:
        """Boxes on a 0.1 grid inside [-1.3, 1.3]^2, at least 0.1 apart; None when they do not fit."""
        c = self.config
        low, high = round(c.min_side * 10), round(c.max_side * 10)
        placed: dict[str, list[int]] = {}
        for color in rng.sample(COLORS, c.boxes):
            for _ in range(50):
                w, h = rng.randint(low, high), rng.randint(low, high)
                x0, y0 = rng.randint(-13, 13 - w), rng.randint(-13, 13 - h)
                box = [x0, x0 + w, y0, y0 + h]
                if all(box[1] + 1 <= o[0] or o[1] + 1 <= box[0] or box[3] + 1 <= o[2] or o[3] + 1 <= box[2]
                       for o in placed.values()):
                    placed[color] = box
                    break
            else:
                return None
        return {color: [v / 10 for v in box] for color, box in placed.items()}

    def check(self, answer: str, metadata: dict) -> None:
        points = parse_waypoints(answer)
        if len(points) < 2:
            raise Incorrect("the trajectory needs at least two waypoints")
        start, end = (tuple(exact(v) for v in metadata[k]) for k in ("start", "end"))
        if points[0] != start:
            raise Incorrect(f"the first waypoint must be the starting position {tuple(metadata['start'])}")
        if points[-1] != end:
            raise Incorrect(f"the last waypoint must be the ending position {tuple(metadata['end'])}")
        for x, y in points:
            if not (-ROOM < x < ROOM and -ROOM < y < ROOM):
                raise Incorrect(f"the trajectory touches the black walls at ({float(x)}, {float(y)})")
        segments = list(zip(points, points[1:]))
        boxes = {color: [exact(v) for v in box] for color, box in metadata["boxes"].items()}
        entered = {color for color, box in boxes.items() if any(segment_meets_box(p, q, box) for p, q in segments)}
        for color in metadata["avoid"]:
            if color in entered:
                raise Incorrect(f"the trajectory enters the {color} box, which it must avoid")
        for color in metadata["enter"]:
            if color not in entered:
                raise Incorrect(f"the trajectory never enters the {color} box")

    def solve(self, metadata: dict) -> str:
        points = plan(metadata)
        if points is None:
            raise ValueError("no trajectory found")
        return format_waypoints(points)

    def corrupt(self, answer: str, metadata: dict) -> str:
        """Stop one waypoint early, short of the end position (a changed digit may leave the path valid)."""
        return format_waypoints(ast.literal_eval(answer)[:-1])


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


# Alternative: exact geometry on a visibility graph. The nodes are the start, the end, each box to enter's
# centre, and the corners of each box to avoid pushed 0.05 outwards; two nodes are joined when the segment between
# them touches no box to avoid (tested exactly with fractions); Dijkstra's algorithm gives each leg.
VISIBILITY_IMPORTS = "import heapq\nimport math\nfrom fractions import Fraction"
VISIBILITY = r"""
def exact(v):
    return Fraction(str(v))


room = Fraction("1.4")
blocked = [[exact(v) for v in boxes[name]] for name in avoid]
margin = Fraction("0.05")
corners = [(x, y) for x0, x1, y0, y1 in blocked for x in (x0 - margin, x1 + margin) for y in (y0 - margin, y1 + margin)]
centres = {}
for name in enter:
    x0, x1, y0, y1 = map(exact, boxes[name])
    centres[name] = ((x0 + x1) / 2, (y0 + y1) / 2)
nodes = [tuple(map(exact, start)), tuple(map(exact, end)), *centres.values()]
nodes += [p for p in corners if abs(p[0]) < room and abs(p[1]) < room]


def crosses(p, q, box):
    # whether segment pq meets the closed box: clip the parameter t of p + t (q - p) to each slab
    low, high = Fraction(0), Fraction(1)
    for a, b, lo, hi in ((p[0], q[0], box[0], box[1]), (p[1], q[1], box[2], box[3])):
        if a == b:
            if not lo <= a <= hi:
                return False
        else:
            t1, t2 = sorted(((lo - a) / (b - a), (hi - a) / (b - a)))
            low, high = max(low, t1), min(high, t2)
    return low <= high


def leg(source, target):
    # Dijkstra from node source to node target over segments that touch no box to avoid
    dist, before, queue = {source: 0.0}, {source: None}, [(0.0, source)]
    while queue:
        d, i = heapq.heappop(queue)
        if i == target:
            path = []
            while i is not None:
                path, i = [i] + path, before[i]
            return path
        for j in range(len(nodes)):
            step = math.dist(nodes[i], nodes[j])
            if j != i and d + step < dist.get(j, math.inf) and not any(crosses(nodes[i], nodes[j], b) for b in blocked):
                dist[j], before[j] = d + step, i
                heapq.heappush(queue, (d + step, j))
    raise ValueError("no way through")


route = [0]
for k in [2 + i for i in range(len(enter))] + [1]:
    route += leg(route[-1], k)[1:]
print([(float(nodes[i][0]), float(nodes[i][1])) for i in route])
"""


def teacher(item: dict) -> Solution:
    """The scripted teacher's program: a breadth-first search on a fine lattice through the boxes to enter, then
    straight-line shortcuts between them. Another method than the task's `plan` (Dijkstra on the visibility
    graph of the avoided boxes' corners); the alternative is such a visibility graph of its own, exact in
    fractions, through each box's centre; its check clips every segment against every box exactly. No worked
    solution: checking each segment against each box in words runs long."""
    data = dict(boxes={color: tuple(box) for color, box in meta(item, "boxes").items()},
                start=tuple(meta(item, "start")), end=tuple(meta(item, "end")),
                enter=meta(item, "enter"), avoid=meta(item, "avoid"))
    return Solution(code=script(data, PATH_PLAN, "from collections import deque"),
                    check=script(data, PATH_PLAN_CHECK, "import ast\nfrom fractions import Fraction"),
                    alternatives=(script(data, VISIBILITY, VISIBILITY_IMPORTS),))
