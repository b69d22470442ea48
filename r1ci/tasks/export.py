"""Writing items for other frameworks: a `datasets`-loadable table (JSONL or Parquet) and veRL's RL parquet.

Metadata differs from task to task, so it travels as a JSON string: every row has the same schema, and
`compute_score` (veRL's custom reward signature) rebuilds the item to score a response with r1ci's checker.
"""

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from r1ci.runs import atomic_path
from r1ci.protocol import RESULTS_HEADER, final_answer, prose
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


def model_answer(transcript: str) -> str | None:
    """The answer of a flat ci transcript (model turns and interpreter results in one string), as r1ci's own
    reward takes it: the last `<<<...>>>` of model-written prose, never of code or of what the code printed.

    A flat transcript does not mark where an interpreter's output ends and the model goes on, except at the
    end: the model's answer ends its turn (generation stops at `>>>`) while results end with a newline. So
    prose before the first results counts, and after results only the transcript's last line does.
    """
    head, *results = transcript.split(RESULTS_HEADER)
    tail = prose(results[-1]).rsplit("\n", 1)[-1] if results else ""
    return final_answer(head + "\n" + tail)


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
    return get_task(data_source).score(answer, item)
