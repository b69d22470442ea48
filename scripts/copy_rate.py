"""Does a model's code read the question? For bbh/boolean_expressions, the share of evaluated trajectories
whose last script contains the question's expression exactly (whitespace ignored), next to accuracy and the
share whose answer repeats the script's printed output. Used in the README to explain why GRPO cannot lift
the main job's tiny model: its right answers do not come from reading the question.

    .venv/bin/python scripts/copy_rate.py runs/pipeline/eval/sft-ci/results.jsonl [more results.jsonl ...]

Only parses the evaluation's records; it runs nothing. Other tasks are not covered."""

import json
import re
import sys

TASK = "bbh/boolean_expressions"


def expression(question: str) -> str:
    return re.sub(r"\s+", "", question.split("\n")[0].removesuffix(" is"))


def copy_rate(paths: list[str]) -> dict:
    counts = {"n": 0, "correct": 0, "copied": 0, "copied_and_correct": 0, "answer_is_output": 0}
    for path in paths:
        for line in open(path):
            row = json.loads(line)
            if row["task"] != TASK:
                continue
            scripts = [s["code"] for s in row["segments"] if s["kind"] == "tool"]  # what the sandbox ran
            outputs = [s["text"].split("Code Execution Results:\n", 1)[-1].strip()
                       for s in row["segments"] if s["kind"] == "tool"]
            copied = bool(scripts) and expression(row["question"]) in re.sub(r"\s+", "", scripts[-1])
            counts["n"] += 1
            counts["correct"] += bool(row["correct"])
            counts["copied"] += copied
            counts["copied_and_correct"] += copied and bool(row["correct"])
            counts["answer_is_output"] += bool(outputs) and str(row["answer"]).strip() == outputs[-1]
    return counts


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    print(json.dumps(copy_rate(sys.argv[1:])))
