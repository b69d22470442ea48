"""Program writers of the scripted teacher: for one item of a task, the script a careful solver would write.

A writer reads the item (question text and the generator's metadata) and returns a `Solution`. The driver,
`r1ci.synth`, turns solutions into trajectories: it runs every script in the real sandbox, splices in the
real output, and keeps a trajectory only when the task's checker accepts its final answer. So a writer can
be wrong on some items without harm; it only costs those items.

Conventions every writer follows (tests/test_teacher.py checks them on real items):
- The script opens with a *data block*: top-level assignments of literals, up to the first blank line,
  holding the question's own values as they are written in the question (every string and number there
  appears verbatim in the question), so a model learns to copy them. Then the computation; the script's
  last printed line is the answer, in the task's format. `script(data, body)` lays a script out this way
  (imports, the data block, a blank line, the computation), writing each value with `literal`; `found`
  cuts a value out of the question text where the metadata does not hold it as the question writes it.
- `check`, when given, is a second script that verifies a candidate answer independently (multiply the
  factors back, re-apply the moves, test the constraints) rather than recomputing it the same way. The
  driver prepends `answer = '<candidate>'` to it; it prints a line containing "check passed" or fails.
- `worked`, when given, is a short solution in words that ends in the answer: the text-mode counterpart.

Not here: prompts, phrasings, multi-step variety and scoring (r1ci.synth), the tasks themselves (r1ci.tasks).
"""

import re
import textwrap
from dataclasses import dataclass


@dataclass(frozen=True)
class Solution:
    code: str                  # data block, blank line, computation; prints the answer last
    check: str | None = None   # verifies `answer` (a str, prepended by the driver); prints "check passed"
    worked: str | None = None  # a worked solution in words, ending with the answer (text-mode SFT)


def meta(item: dict, key: str):
    """A metadata value; reasoning-gym stores some as Python literals in strings."""
    import ast

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


def _collect() -> dict:
    from r1ci.teacher import bbh, rg, symbench

    return {**symbench.WRITERS, **bbh.WRITERS, **rg.WRITERS}


PROGRAMS = _collect()
