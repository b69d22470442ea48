"""The code-interpreter protocol: every string the model and the interpreter exchange lives here.

For now this module owns answer extraction; the multi-turn protocol (system prompts, code blocks,
`Code Execution Results:`) joins it with the rollout engine.
"""

import re

ANSWER_PATTERN = re.compile(r"<<<(.*?)>>>", re.DOTALL)


def extract_answer(text: str | None) -> str | None:
    """The final answer: the content of the last `<<<...>>>` in `text`, stripped; None if there is none.

    Callers pass model-written text only, so that what an interpreter printed never counts as an answer.
    """
    if not isinstance(text, str):
        return None
    matches = ANSWER_PATTERN.findall(text)
    return matches[-1].strip() if matches else None


# The line CodeSteer appends to every SymBench and BIG-Bench Hard question; we add it to Reasoning-Gym's too.
ANSWER_INSTRUCTION = "Output final answer with the format <<<answer>>>."
