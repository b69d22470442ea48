"""Where the fixed datasets are read from: one folder setting per source, passed to the tasks that load files.

BIG-Bench Hard, SymBench's original instances and math files, AIME and GPQA are read from folders on disk when
one is set, else from the Hugging Face hub. Each folder is a setting (`--bbh-dir`, or `bbh_dir` in a pipeline's
`[data]` table) whose default is its environment variable (`R1CI_BBH_DIR`, ...): the variables are read here,
for those defaults, and nowhere else. A task gets the folders it needs through `get_task(task_id, data)`.

Not here: the file formats (each loader's module: bbh.py, symbench/mathdata.py, ood.py).
"""

import os
from dataclasses import dataclass, fields
from pathlib import Path

from r1ci.settings import setting

ENVIRONMENT = {"bbh_dir": "R1CI_BBH_DIR", "symbench_dir": "R1CI_SYMBENCH_DIR", "aime_dir": "R1CI_AIME_DIR",
               "gpqa_dir": "R1CI_GPQA_DIR"}


def from_environment(name: str):
    """The default of a folder setting: its environment variable, if set."""
    return lambda: Path(os.environ[ENVIRONMENT[name]]) if os.environ.get(ENVIRONMENT[name]) else None


@dataclass(frozen=True)
class DataFolders:
    bbh_dir: Path | None = setting(
        help="Folder of BIG-Bench Hard json files (default: $R1CI_BBH_DIR, else the Hugging Face hub).",
        factory=from_environment("bbh_dir"))
    symbench_dir: Path | None = setting(
        help="CodeSteer `dataset_gather` folder: original SymBench instances and the GSM-Hard/MATH files (default: "
             "$R1CI_SYMBENCH_DIR, else the hub for the math tasks).", factory=from_environment("symbench_dir"))
    aime_dir: Path | None = setting(
        help="Folder holding aime24.jsonl and aime25.jsonl, for ood/aime_2024 and ood/aime_2025 (default: "
             "$R1CI_AIME_DIR, else the Hugging Face hub).", factory=from_environment("aime_dir"))
    gpqa_dir: Path | None = setting(
        help="Folder holding GPQA's official gpqa_diamond.csv, for ood/gpqa_diamond (default: $R1CI_GPQA_DIR, else "
             "the Hugging Face hub's gated Idavidrein/gpqa).", factory=from_environment("gpqa_dir"))

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            path = Path(value).expanduser().resolve()
            if not path.is_dir():
                raise ValueError(f"{f.name}: {value} is not a folder (from --{f.name.replace('_', '-')} or "
                                 f"${ENVIRONMENT[f.name]})")
            object.__setattr__(self, f.name, path)
