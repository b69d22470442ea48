"""The scripted teacher's toolkit: what a task's program writer returns, and the helpers that lay its scripts out.

A task that the scripted teacher covers has a *writer* (`Task.teacher`): for one item it returns a `Solution`,
the script a careful solver would write. SymBench writers are each task module's `teacher`; the BIG-Bench Hard
and Reasoning-Gym writers are in `bbh_teacher` and `rg_teacher`, beside `bbh` and `rg`. The driver,
`r1ci.synth`, turns solutions into trajectories: it runs every script in the real sandbox, splices in the real
output, and keeps a trajectory only when the task's checker accepts its final answer. So a writer can be wrong
on some items without harm; it only costs those items.

Conventions every writer follows (tests/test_teacher.py checks them on real items):
- The script opens with a *data block*: top-level assignments of literals, up to the first blank line,
  holding the question's own values as they are written in the question (every string and number there
  appears verbatim in the question), so a model learns to copy them. Then the computation; the script's
  last printed line is the answer, in the task's format. `script(data, body)` lays a script out this way
  (imports, the data block, a blank line, the computation), writing each value with `literal`; `found`
  cuts a value out of the question text where the metadata does not hold it as the question writes it.
- Where the task already has the computation as Python functions (a SymBench solver, a BBH writer's
  reasoning), the script pastes their source rather than a second copy: `script_with_functions` writes the
  functions' imports and module constants, then their source, then the line that prints the answer.
- `check`, when given, is a second script that verifies a candidate answer independently (multiply the
  factors back, re-apply the moves, test the constraints) rather than recomputing it the same way. The
  driver prepends `answer = '<candidate>'` to it; it prints a line containing "check passed" or fails.
- `alternatives` are further programs for the same item that take genuinely different routes: another
  decomposition, data structure or library call (a loop against `math.gcd`, a table against a formula),
  never the same computation with renamed variables. Each follows the same conventions and prints the same
  answer; the driver picks one per trajectory, so a model sees several ways to solve a task, not a template.
- `worked`, when given, is a step-by-step solution in words, the text-mode counterpart a reasoner would
  write (long multiplication digit by digit, a boolean expression reduced one operator at a time), whose
  last line states the answer exactly as the program prints it.

Not here: prompts, phrasings, multi-step variety and scoring (r1ci.synth), which tasks have a writer
(`r1ci.tasks.tasks_with_teacher`), and the writers themselves (beside their tasks).
"""

import ast
import dis
import inspect
import re
import sys
import textwrap
import types
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Solution:
    code: str                  # data block, blank line, computation; prints the answer last
    check: str | None = None   # verifies `answer` (a str, prepended by the driver); prints "check passed"
    worked: str | None = None  # a worked solution in words, ending with the answer (text-mode SFT)
    alternatives: tuple[str, ...] = ()  # other programs for the item, each another route to the same answer

    @property
    def programs(self) -> tuple[str, ...]:
        """Every program the teacher has for the item: `code` first, then the alternatives."""
        return (self.code, *self.alternatives)


Writer = Callable[[dict], Solution]  # an item -> the teacher's solution for it


def meta(item: dict, key: str):
    """A metadata value; reasoning-gym stores some as Python literals in strings."""
    value = item["metadata"][key]
    try:
        return ast.literal_eval(value) if isinstance(value, str) else value
    except (ValueError, SyntaxError):
        return value


def literal(value) -> str:
    """A Python literal for the data block: text with line breaks as a triple-quoted string (as the question
    lays it out), long lists and dicts one entry a line, anything else its repr."""
    if isinstance(value, str) and "\n" in value and "\\" not in value and '"""' not in value \
            and not value.endswith('"'):
        return f'"""{value}"""'
    if isinstance(value, (list, dict)) and len(repr(value)) > 90:
        rows = [f"{k!r}: {v!r}" for k, v in value.items()] if isinstance(value, dict) else map(repr, value)
        open_, close = "{}" if isinstance(value, dict) else "[]"
        return open_ + "\n" + "".join(f"    {row},\n" for row in rows) + close
    return repr(value)


def script(data: dict, body: str, imports: str = "") -> str:
    """A script in the conventional layout: the imports, a blank line, the data block (one `name = literal`
    line per value, in order), a blank line, the computation. The imports are `imports` and then the import
    lines the body opens with, so a body may carry its own; the body may be indented (it is dedented)."""
    lines = textwrap.dedent(body).strip().splitlines()
    n = next((i for i, line in enumerate(lines) if not line.startswith(("import ", "from "))), len(lines))
    head = "\n".join(filter(None, [imports.strip(), *lines[:n]]))
    block = "\n".join(f"{name} = {literal(value)}" for name, value in data.items())
    return "\n\n".join(part for part in (head, block, "\n".join(lines[n:]).strip()) if part)


def found(pattern: str, text: str) -> str:
    """The first group of `pattern` (a regex; `.` matches line breaks too) in `text`, the question, which
    the writer knows holds it."""
    return re.search(pattern, text, re.S).group(1)


def script_with_functions(data: dict, *functions: Callable, last: str, imports: str = "") -> str:
    """`script` whose computation is the source of `functions`, pasted as written (so a task's solver and the
    teacher's program are one copy), followed by `last`, which prints the answer.

    What the functions read from their module comes first: each standard-library module they use, or name they
    import from one, as an import line (after `imports`, which holds what `last` needs), and each constant as
    `NAME = literal`. So a function must be self-contained but for those: it may call only functions passed
    along with it, and its constants must be plain values (numbers, strings, lists, dicts, ...). Anything else
    is a TypeError here, not a script that fails in the sandbox."""
    given = {f.__name__ for f in functions}
    needed_imports, constants = [], {}
    for function in functions:
        for name in names_read(function):
            if name in given or name in data or name not in function.__globals__:
                continue  # passed along, in the data block, or a builtin
            value = function.__globals__[name]
            if isinstance(value, types.ModuleType) and in_standard_library(value.__name__):
                needed_imports.append(f"import {value.__name__}" + (f" as {name}" if name != value.__name__ else ""))
            elif is_plain_value(value):
                constants[name] = value
            elif in_standard_library(getattr(value, "__module__", None) or "") and \
                    getattr(sys.modules[value.__module__], name, None) is value:
                needed_imports.append(f"from {value.__module__} import {name}")
            else:
                raise TypeError(f"{function.__name__} reads {name}, which is neither a plain value nor a name of the "
                                "standard library; pass it along if it is a function")
    lines = imports.strip().splitlines()
    lines += sorted(set(needed_imports) - set(lines), key=lambda line: (line.startswith("from "), line))
    in_module_order = [name for f in functions for name in f.__globals__ if name in constants]
    block = "\n".join(f"{name} = {literal(constants[name])}" for name in dict.fromkeys(in_module_order))
    sources = [inspect.getsource(f).rstrip() for f in functions]
    return script(data, "\n\n".join(filter(None, [block, *sources, last])), "\n".join(lines))


def names_read(function: Callable) -> list[str]:
    """The global names a function reads when it runs (its own code and every function, lambda and
    comprehension within it) or when it is defined (its annotations), in order of first use."""
    names = []

    def visit(code: types.CodeType) -> None:
        for instruction in dis.get_instructions(code):
            if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME") and instruction.argval not in names:
                names.append(instruction.argval)
        for constant in code.co_consts:
            if isinstance(constant, types.CodeType):
                visit(constant)

    visit(function.__code__)
    for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(function)))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
            arguments += [a for a in (node.args.vararg, node.args.kwarg) if a is not None]
            for annotation in [a.annotation for a in arguments] + [node.returns]:
                names += [n.id for n in ast.walk(annotation or ast.Pass())
                          if isinstance(n, ast.Name) and n.id not in names]
    return names


def is_plain_value(value) -> bool:
    """Whether `literal` writes `value` as a literal that reads back as the same value."""
    try:
        return ast.literal_eval(literal(value)) == value
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False


def in_standard_library(module: str) -> bool:
    """Whether `module` (a dotted name) is part of Python's standard library, which every sandbox has."""
    return module.partition(".")[0] in sys.stdlib_module_names
