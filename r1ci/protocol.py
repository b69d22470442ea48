"""The code-interpreter protocol: every string the model and the interpreter exchange lives here.

The model reasons in text and, when it wants, writes one Python script in a ```python block. The script
runs in the sandbox and its output comes back after the line `Code Execution Results:`; the model goes on.
The final answer is the last `<<<...>>>` of the model's prose, read turn by turn: never of code, never of what
the interpreter printed, and a code block the model left open ends where its turn ended. In `code` mode the
one program's output is the answer. At most `MAX_CODE_CALLS` code calls per question unless the rollout sets
another limit (`RolloutConfig.max_code_calls`); the prompt states the limit.
"""

import re

from r1ci.sandbox.core import Result, clip_text

MODES = ("ci", "text", "code")
ANSWER_PATTERN = re.compile(r"<<<(.*?)>>>", re.DOTALL)
CODE_OPEN = "```python"
CODE_FENCE = "```"
RESULTS_HEADER = "Code Execution Results:"
MAX_CODE_CALLS = 8
MAX_OUTPUT_BYTES = 2000  # what the model sees of one script's output (UTF-8 bytes); the sandbox keeps more
# A whole result block at its longest: the header, the clipped output (with the cut's marker and the replacement
# characters of a character split there) and a note on how the script ended.
MAX_RESULT_BYTES = MAX_OUTPUT_BYTES + 256
# Generation pauses here: a closed code block (the fence and its newline) or a finished answer.
STOP_STRINGS = {"ci": ("```\n", ">>>"), "text": (">>>",), "code": ("```\n",)}

# The line CodeSteer appends to every SymBench and BIG-Bench Hard question; we add it to Reasoning-Gym's too.
ANSWER_INSTRUCTION = "Output final answer with the format <<<answer>>>."

# Several phrasings per mode: SFT data draws on all of them, evaluation uses the first. `{code_calls}` is the
# rollout's limit on code calls, filled in by `system_prompt` ("8 times"); templates hold no other braces.
PROMPT_TEMPLATES = {
    "ci": (
        "You are a careful problem solver with a Python interpreter. Reason step by step. Whenever computing, "
        "searching or checking would help, write one complete Python script in a ```python code block that "
        "prints what you need; it is run, and its output is shown to you after the line 'Code Execution "
        "Results:'. You may run code up to {code_calls}. End with your final answer in the format <<<answer>>>.",
        "Solve the task below. You can execute Python: put a self-contained script inside ```python ... ``` "
        "and print the values you want to see. The printed output comes back under 'Code Execution "
        "Results:'. Use code for exact arithmetic, search and verification, at most {code_calls}, and give the "
        "final answer as <<<answer>>>.",
        "Think through the problem, and use Python code where text reasoning is error-prone. To run code, "
        "write a ```python block with a full script that prints its results; you will then see 'Code "
        "Execution Results:' followed by the output, and can continue. Finish with <<<answer>>>.",
    ),
    "text": (
        "You are a careful problem solver. Reason step by step in plain text, without writing code, and end "
        "with your final answer in the format <<<answer>>>.",
        "Solve the task below by reasoning in words only (no code). Give the final answer as <<<answer>>>.",
    ),
    "code": (
        "Answer by writing one complete Python program in a ```python code block. The program must compute "
        "the answer and print it in the format <<<answer>>>; its output is taken as your answer.",
        "Write a single self-contained ```python script that solves the task and prints the final answer as "
        "<<<answer>>>. Only the script's output counts.",
    ),
}


def system_prompt(mode: str, variant: int = 0, max_code_calls: int = MAX_CODE_CALLS) -> str:
    """The mode's system prompt (phrasing `variant`, wrapping around), stating the limit on code calls."""
    if mode not in PROMPT_TEMPLATES:
        raise ValueError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
    phrasings = PROMPT_TEMPLATES[mode]
    times = f"{max_code_calls} time" + ("s" if max_code_calls > 1 else "")
    return phrasings[variant % len(phrasings)].format(code_calls=times)


# The phrasings with the default limit, as the model sees them.
SYSTEM_PROMPTS = {mode: tuple(system_prompt(mode, i) for i in range(len(phrasings)))
                  for mode, phrasings in PROMPT_TEMPLATES.items()}


def extract_answer(text: str | None) -> str | None:
    """The final answer: the content of the last `<<<...>>>` in `text`, stripped; None if there is none.

    Callers pass model-written text only, so that what an interpreter printed never counts as an answer.
    """
    if not isinstance(text, str):
        return None
    matches = ANSWER_PATTERN.findall(text)
    return matches[-1].strip() if matches else None


def prose(text: str) -> str:
    """Model text without its ```python blocks (closed or not): answers printed by code do not count."""
    return CODE_BLOCKS.sub("", text)


CODE_BLOCKS = re.compile(r"```python[^\n]*\n?(.*?)(?:```|\Z)", re.DOTALL)  # group 1: the code


def final_answer(*turns: str) -> str | None:
    """The answer of ci and text modes: the last `<<<...>>>` of the prose of the model's `turns`, in order.

    Each turn is read on its own, so a code block left open (the model ended its turn inside it, and the
    rollout ran it) ends with its turn instead of swallowing the answer of a later turn.
    """
    for turn in reversed(turns):
        found = extract_answer(prose(turn))
        if found is not None:
            return found
    return None


def last_code_block(text: str) -> tuple[str, bool, str] | None:
    """The last ```python block of `text`: (code, closed, what follows its closing fence); None if none."""
    start = text.rfind(CODE_OPEN)
    if start < 0:
        return None
    body = text[start + len(CODE_OPEN):]
    end = body.find(CODE_FENCE)
    if end < 0:
        return body.strip("\n"), False, ""
    return body[:end].strip("\n"), True, body[end + len(CODE_FENCE):]


def code_to_run(segment: str, turn_ended: bool, whole_turn: bool = False) -> str | None:
    """The script a model segment asks to run: its last code block, if the segment ends with it.

    An unclosed block counts only when the model ended its turn inside it (small models often stop right
    after their code without the closing fence), not when a stop string paused it mid-code. `whole_turn`:
    the segment is a complete chat turn (text-level backends cannot pause at the fence), so the last block
    runs even if the model wrote on after it.
    """
    block = last_code_block(segment)
    if block is None:
        return None
    code, closed, after = block
    if closed and after.strip() and not whole_turn:
        return None  # the model went on writing after its code: that code was an illustration
    if not closed and not turn_ended:
        return None
    return code


def tool_text(result: Result) -> str:
    """What the model sees after a script ran: the header, then its output, clipped, or what went wrong."""
    output = result.stdout + result.stderr
    notes = []
    if result.status not in ("ok", "error"):
        notes.append(f"[the script {result.message()}]")
    if not output.strip() and not notes:
        notes.append("[the script printed nothing]")
    shown, _ = clip_text(output, MAX_OUTPUT_BYTES)
    body = shown.rstrip("\n") + ("\n" if shown.strip() else "") + "\n".join(notes)
    return f"\n{RESULTS_HEADER}\n{body.rstrip()}\n"


EMPTY_CODE = f"\n{RESULTS_HEADER}\n[the code block was empty]\n"


def sandbox_failure_text(reason: str) -> str:
    return f"\n{RESULTS_HEADER}\n[the interpreter failed to run this script: {reason}]\n"


def code_mode_answer(result: Result) -> str | None:
    """In `code` mode the program's output is the answer: its `<<<...>>>`, else its last printed line."""
    found = extract_answer(result.stdout)
    if found is not None:
        return found
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    return lines[-1] if lines else None
