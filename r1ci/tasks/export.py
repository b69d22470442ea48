"""Writing items for other frameworks: a `datasets`-loadable table (JSONL or Parquet) and veRL's RL parquet.

Metadata differs from task to task, so it travels as a JSON string: every row has the same schema, and
`compute_score` (veRL's custom reward signature) rebuilds the item to score a response with r1ci's checker.
It reads two transcript formats: r1ci's own (results after `Code Execution Results:`) and veRL's tool calling
with a Hermes-style chat template (Qwen2.5, Qwen3: `<tool_call>` blocks, output in `<tool_response>` tags).
Not covered: templates that mark tool output only with special tokens (Llama 3's `ipython` turn), which
veRL's reward manager drops when it decodes, so that nothing tells the tool's output from the model's text.
"""

import json
import os
import re
import threading
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from r1ci.records import atomic_path
from r1ci.protocol import CODE_FENCE, CODE_OPEN, RESULTS_HEADER, final_answer
from r1ci.tasks import get_task
from r1ci.tasks.base import Item

FORMATS = ("hf", "verl")


def hf_row(item: Item, split: str) -> dict:
    return {"id": item["id"], "task": item["task"], "source": item["task"].split("/")[0], "split": split,
            "question": item["question"], "answer": item["answer"], "metadata": json.dumps(item["metadata"])}


def verl_row(item: Item, split: str, index: int) -> dict:
    return {
        "data_source": item["task"],
        "prompt": [{"role": "user", "content": item["question"]}],
        "ability": item["task"].split("/")[0],
        "reward_model": {"style": "rule", "ground_truth": item["answer"]},
        "extra_info": {"index": index, "split": split, "id": item["id"], "metadata": json.dumps(item["metadata"])},
    }


def write_rows(rows: list[dict], out: Path) -> None:
    """JSONL or Parquet by the file's suffix, written to a temporary file and renamed (never half-written)."""
    out = Path(out)
    if out.suffix not in (".jsonl", ".parquet"):
        raise ValueError(f"output must end in .jsonl or .parquet, got {out.name!r}")
    with atomic_path(out) as tmp:
        if out.suffix == ".jsonl":
            with tmp.open("w") as f:
                f.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        else:
            pq.write_table(pa.Table.from_pylist(rows), tmp)


def export(items_by_split: dict[str, list[Item]], out: Path, fmt: str = "hf") -> int:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    rows = []
    for split, items in items_by_split.items():
        for item in items:
            rows.append(hf_row(item, split) if fmt == "hf" else verl_row(item, split, len(rows)))
    write_rows(rows, out)
    return len(rows)


# veRL's tool-calling transcript, as Hermes-style templates write it: the model's calls (code, not prose) and the
# tool's output, which the template closes.
TOOL_CALL_OPEN, TOOL_CALL_CLOSE = "<tool_call>", "</tool_call>"
TOOL_OUTPUT_OPEN, TOOL_OUTPUT_CLOSE = "<tool_response>", "</tool_response>"
TOOL_CALLS = re.compile(f"{re.escape(TOOL_CALL_OPEN)}.*?(?:{re.escape(TOOL_CALL_CLOSE)}|\\Z)", re.DOTALL)


def model_answer(transcript: str) -> str | None:
    """The model's final answer in a whole transcript (model turns and tool output in one string, as veRL's
    reward manager decodes it): the last `<<<...>>>` of prose the model provably wrote, never of its code
    (python blocks, tool calls) or of what a tool printed.

    A tool's output can spell anything, the other format's markers and a fake model turn included, so the
    model's text is only what no output can reach: what comes before the first output starts, and what comes
    after the last one ends. A `<tool_response>` ends at its closing tag; a transcript that ends inside one
    has no last turn. r1ci's results are not closed, but they end with a newline and the model's answer ends
    its turn, so once a transcript holds `Code Execution Results:`, its last turn counts only on its last
    line. Outputs must be whole (r1ci's rollouts and veRL's tool agent loop never cut one): a transcript cut
    inside an output is text in which nothing tells the output from the model.
    """
    starts = [i for i in (transcript.find(RESULTS_HEADER), transcript.find(TOOL_OUTPUT_OPEN)) if i >= 0]
    first = transcript[:min(starts, default=len(transcript))]
    last = transcript[max(_end_of_last(transcript, RESULTS_HEADER), _end_of_last(transcript, TOOL_OUTPUT_CLOSE)):]
    if transcript.rfind(TOOL_OUTPUT_OPEN) > transcript.rfind(TOOL_OUTPUT_CLOSE):
        last = ""  # it ends inside a tool's output
    elif RESULTS_HEADER in transcript:
        last = _last_line_outside_code(last)
    return final_answer(TOOL_CALLS.sub("", first), TOOL_CALLS.sub("", last))


def _end_of_last(text: str, marker: str) -> int:
    found = text.rfind(marker)
    return 0 if found < 0 else found + len(marker)


def _last_line_outside_code(text: str) -> str:
    """The last line of `text`, or "" if it may lie inside a python block or a tool call opened before it."""
    before, _, line = text.rpartition("\n")
    fence = before.rfind(CODE_FENCE)
    in_code = fence >= 0 and before.startswith(CODE_OPEN, fence)
    in_call = before.rfind(TOOL_CALL_OPEN) > before.rfind(TOOL_CALL_CLOSE)
    return "" if in_code or in_call else line


def compute_score(data_source: str, solution_str: str, ground_truth: str, extra_info: dict | None = None,
                  **kwargs) -> float:
    """veRL's reward function: `reward.custom_reward_function.path` = this file, `.name` = compute_score.

    veRL passes more keywords (its reward_kwargs, the reward router's address), which r1ci does not need.
    """
    missing = [key for key in ("id", "metadata") if key not in (extra_info or {})]
    if missing:
        raise ValueError(f"extra_info lacks {' and '.join(missing)}: compute_score rebuilds the item from the "
                         f"extra_info that `r1ci tasks export --format verl` writes into every row, so train on a "
                         f"file it wrote (got extra_info={str(extra_info)[:200]})")
    answer = model_answer(solution_str)
    if answer is None:
        return 0.0
    item = {"id": extra_info["id"], "task": data_source, "question": "", "answer": ground_truth,
            "metadata": json.loads(extra_info["metadata"])}
    return _adapter_grader().grade(get_task(data_source), answer, item).score


# veRL loads `compute_score` by file path and calls it in its own reward processes: an external entry point
# that no one can hand a grader. So this adapter, and nothing else in r1ci, keeps a grader of its own: one per
# process, built on the first call (and again in a forked child, where the parent's pools' threads and sockets
# are gone). Its import of r1ci.grading, inside the function, is the one under r1ci/tasks (tests/test_layers.py
# names it): importing the tasks, this module included, never loads the grader.
_grader = None
_grader_lock = threading.Lock()


def _adapter_grader():
    """This process's grader for `compute_score`."""
    global _grader
    from r1ci.grading import Grader

    with _grader_lock:
        if _grader is None or _grader.pid != os.getpid():
            _grader = Grader()
        return _grader
