"""GRPO step time: r1ci's `rollout_func` against TRL's built-in tool calling (`tools=`), on the same work.

What is measured: wall seconds per optimizer step of TRL's GRPOTrainer on a tiny random Qwen2 on CPU. A step
samples a batch of two-turn completions with one code call each, scores them, and does one forward/backward
and optimizer update. Path `r1ci`: r1ci.rl's `InterpreterRollouts` samples (r1ci's rollout engine over
`HFBackend.from_model`: per-row sampling, sandbox calls overlapping generation, only the new tokens prefilled
after a tool result). Path `trl`: TRL's own loop (`model.generate`, then each tool call in turn, then
`generate` again over the whole conversation). TRL / r1ci is what r1ci's orchestration saves per step (or
costs, below 1). "sampling" is the time in the trainer's `_generate` (rollouts and tool calls); "rest" is
scoring, the forward/backward and the optimizer.

Why both paths do the same work: a random model never calls a tool, so a forward hook scripts it. The
forward pass runs for real, then the hook raises one logit per row far above the rest, so sampling picks the
next token of a script. A forward over more than one token (a prefill) starts the row's next turn; it is
the answer turn if tool output is in view, else the first turn: `THINKING` (from a different offset in each
row, so no two completions are the same, as when sampling) then the code call, in r1ci's format (a ```python
block) or TRL's (a `<tool_call>` JSON, then end of turn), together `FIRST_TURN_TOKENS` tokens on both paths.
The answer turn is `So the answer is <<<42>>>` and end of turn. Both paths send the code to the same
sandbox. TRL's prompt carries the tool's JSON schema, so r1ci's system prompt is padded to the same number of
tokens: both train on sequences of nearly the same length (TRL's chat markup around tool output remains).
The hook is off outside sampling, so the training forward sees the model's own logits.

    .venv/bin/python benchmarks/grpo.py [--quick] [--steps 5] [--repeats 2] [--code "..."] [--out FILE.json]
"""

import argparse
import contextlib
import itertools
import json
import os
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")  # rollout_func is experimental in TRL; we know

import torch  # noqa: E402
from datasets import Dataset  # noqa: E402
from transformers import AutoModelForCausalLM, AutoTokenizer, PrinterCallback, TrainerCallback  # noqa: E402
from transformers.utils import logging as hf_logging  # noqa: E402
from trl import GRPOConfig, GRPOTrainer  # noqa: E402
from trl.chat_template_utils import qwen2_5_chat_template  # noqa: E402

from r1ci import protocol  # noqa: E402
from r1ci.models import TinyModel, build_tiny  # noqa: E402
from r1ci.reward import RewardWeights, reward_functions  # noqa: E402
from r1ci.rl import InterpreterRollouts, RLSettings, make_trainer_class  # noqa: E402
from r1ci.runtime import Runtime  # noqa: E402
from r1ci.sandbox import Limits  # noqa: E402
from r1ci.tasks import get_task  # noqa: E402
from r1ci.rollout import RolloutSettings

THINKING = ("To multiply these numbers I will first look at their signs, since an odd number of negative "
            "factors makes the product negative, and then multiply the absolute values step by step, "
            "keeping track of every partial product so that no digit is lost along the way. Doing this "
            "by hand is error-prone, so I will let the interpreter do the arithmetic for me and then "
            "read the result carefully before I write the final answer down. ")
ANSWER = "So the answer is <<<42>>>"
FIRST_TURN_TOKENS = 96
MAX_COMPLETION_TOKENS = 256
TOOL_MARKERS = (protocol.RESULTS_HEADER + "\n", "</tool_response>")  # tool output, as r1ci / TRL show it
MARKER_LOOKBACK = 48  # tokens at the end of a prefill that hold the tool output, if there is any


def r1ci_call(code: str) -> str:
    return f"\n```python\n{code}\n```\n"


def trl_call(code: str) -> str:
    return "\n<tool_call>\n" + json.dumps({"name": "python", "arguments": {"code": code}}) + "\n</tool_call>"


class ScriptedLogits:
    """A forward hook that makes the model write the scripts, row by row, while `forcing()` is on."""

    def __init__(self, model, tokenizer, first_turns: list[list[int]], answer: list[int]):
        self.tokenizer, self.first_turns, self.answer = tokenizer, first_turns, answer
        self.rows: list[list] = []  # per batch row: [script, tokens of it written]
        self.active = False
        model.register_forward_hook(self._hook, with_kwargs=True)

    @contextlib.contextmanager
    def forcing(self):
        self.active = True
        try:
            yield
        finally:
            self.active = False

    def _hook(self, module, args, kwargs, output):
        if not self.active:
            return output
        ids = kwargs["input_ids"] if "input_ids" in kwargs else args[0]
        if ids.shape[1] > 1:  # a prefill: every row starts a turn
            tails = self.tokenizer.batch_decode(ids[:, -MARKER_LOOKBACK:].tolist())
            self.rows = [[self.answer if any(m in tail for m in TOOL_MARKERS) else
                          self.first_turns[i % len(self.first_turns)], 0] for i, tail in enumerate(tails)]
        for i, row in enumerate(self.rows):
            script, written = row
            token = script[written] if written < len(script) else self.tokenizer.eos_token_id
            row[1] += 1
            output.logits[i, -1, token] = output.logits[i, -1].max() + 100.0
        return output


def turn_scripts(tokenizer, call: str, end_turn: bool, rows: int) -> tuple[list[list[int]], list[int]]:
    """The first turn of each row (thinking from offset `row`, then the call) and the answer turn, as ids."""
    call_ids = tokenizer(call, add_special_tokens=False)["input_ids"] + ([tokenizer.eos_token_id] if end_turn else [])
    thinking = tokenizer(THINKING, add_special_tokens=False)["input_ids"]
    length = FIRST_TURN_TOKENS - len(call_ids)
    if length < 0:
        raise ValueError(f"the code call takes {len(call_ids)} tokens, more than a first turn ({FIRST_TURN_TOKENS})")
    firsts = [list(itertools.islice(itertools.cycle(thinking), k, k + length)) + call_ids for k in range(rows)]
    answer = tokenizer(ANSWER, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    return firsts, answer


def padded_system_prompt(tokenizer, question: str, target: int) -> str:
    """r1ci's system prompt, with words appended until its prompt is `target` tokens (or one or two more)."""
    system, filler = protocol.system_prompt("ci"), itertools.cycle(THINKING.split())
    while True:
        messages = [{"role": "system", "content": system}, {"role": "user", "content": question}]
        if len(tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True,
                                             return_dict=False)) >= target:
            return system
        system += " " + next(filler)


class StepClock(TrainerCallback):
    """Seconds per optimizer step, and the metrics each step logged."""

    def __init__(self):
        self.seconds, self.logs, self._began = [], [], 0.0

    def on_step_begin(self, args, state, control, **kwargs):
        self._began = time.perf_counter()

    def on_step_end(self, args, state, control, **kwargs):
        self.seconds.append(time.perf_counter() - self._began)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs and "loss" in logs:
            self.logs.append(dict(logs))


class CountingSandbox:
    """The shared sandbox, counting the scripts a path sends it."""

    def __init__(self, sandbox):
        self.sandbox, self.runs = sandbox, 0

    def run(self, code, limits=None, **kw):
        self.runs += 1
        return self.sandbox.run(code, limits, **kw)

    async def arun(self, code, limits=None, **kw):
        self.runs += 1
        return await self.sandbox.arun(code, limits, **kw)


def scripted(trainer_class):
    """`trainer_class` that forces the scripts while it samples (`_generate`, both paths), timing it."""

    class Scripted(trainer_class):
        script: ScriptedLogits
        sampling: list

        def _generate(self, prompts):
            began = time.perf_counter()
            with self.script.forcing():
                out = super()._generate(prompts)
            prompt_ids, completion_ids, model_mask = out[:3]
            self.sampling.append({"seconds": time.perf_counter() - began,
                                  "prompt": statistics.mean(map(len, prompt_ids)),
                                  "completion": statistics.mean(map(len, completion_ids)),
                                  "model": statistics.mean(map(sum, model_mask))})
            return out

    return Scripted


def run_path(path: str, model_dir: Path, items: list[dict], sandbox, grader, args, out_dir: Path) -> dict:
    """A fresh model and trainer on `path` ("r1ci" or "trl") for `args.steps` steps: times and what it logged."""
    tokenizer = AutoTokenizer.from_pretrained(model_dir)  # r1ci's ChatML template
    trl_tokenizer = AutoTokenizer.from_pretrained(model_dir)
    trl_tokenizer.chat_template = qwen2_5_chat_template  # a template whose tool calls TRL knows how to parse
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    counting = CountingSandbox(sandbox)

    def python(code: str) -> str:
        """Run a Python script and return what it prints.

        Args:
            code: the complete script
        """
        return counting.run(code, Limits(timeout=10)).stdout

    rows = args.prompts * args.generations
    config = GRPOConfig(
        output_dir=str(out_dir / path), max_steps=args.steps, per_device_train_batch_size=rows,
        num_generations=args.generations, learning_rate=1e-6, beta=0.0, max_completion_length=MAX_COMPLETION_TOKENS,
        logging_steps=1, save_strategy="no", report_to="none", use_cpu=True, bf16=False, seed=0,
        dataloader_num_workers=0, disable_tqdm=True)
    clock = StepClock()
    if path == "r1ci":
        settings = RLSettings(num_generations=args.generations, prompts_per_step=args.prompts,
                              rollout=RolloutSettings(max_new_tokens=MAX_COMPLETION_TOKENS,
                                                      turn_tokens=MAX_COMPLETION_TOKENS))
        rollouts = InterpreterRollouts({item["question"]: item for item in items}, settings, counting, grader,
                                       tokenizer)
        trl_prompt = trl_tokenizer.apply_chat_template([{"role": "user", "content": items[0]["question"]}],
                                                       tools=[python], add_generation_prompt=True, tokenize=True,
                                                       return_dict=False)
        system = padded_system_prompt(tokenizer, items[0]["question"], len(trl_prompt))
        rollouts.config = replace(rollouts.config, system_prompt=system)
        trainer = scripted(make_trainer_class())(
            model=model, reward_funcs=reward_functions(RewardWeights()), args=config, processing_class=tokenizer,
            train_dataset=Dataset.from_list([{"prompt": item["question"]} for item in items]),
            rollout_func=rollouts, callbacks=[clock])
        firsts, answer = turn_scripts(tokenizer, r1ci_call(args.code), end_turn=False, rows=rows)
        logged = {"calls": "code_calls", "answered": "answered"}
    else:
        def answered(completions, **_) -> list[float]:
            return [float("<<<" in (c[-1].get("content") or "")) for c in completions]

        trainer = scripted(GRPOTrainer)(
            model=model, reward_funcs=[answered], args=config, processing_class=trl_tokenizer,
            train_dataset=Dataset.from_list([{"prompt": [{"role": "user", "content": item["question"]}]}
                                             for item in items]),
            tools=[python], callbacks=[clock])
        firsts, answer = turn_scripts(trl_tokenizer, trl_call(args.code), end_turn=True, rows=rows)
        logged = {"calls": "tools/call_frequency", "answered": "rewards/answered/mean"}
    trainer.remove_callback(PrinterCallback)  # the table says what matters
    trainer.script = ScriptedLogits(model, tokenizer, firsts, answer)
    trainer.sampling = []
    trainer.train()
    return {"step_s": clock.seconds, "sampling": trainer.sampling, "sandbox_runs": counting.runs,
            **{name: [log[key] for log in clock.logs] for name, key in logged.items()}}


def summarise(runs: list[dict]) -> dict:
    """Medians of the seconds (each run's first step left out: warm-up), means of the rest."""
    steps = [s for run in runs for s in run["step_s"][1:]]
    sampling = [s for run in runs for s in run["sampling"][1:]]
    return {"step_s": statistics.median(steps),
            "sampling_s": statistics.median(s["seconds"] for s in sampling),
            "rest_s": statistics.median(t - s["seconds"] for t, s in zip(steps, sampling)),
            "steps_s": steps,
            **{f"{k}_tokens": statistics.mean(s[k] for s in sampling) for k in ("prompt", "completion", "model")},
            "code_calls": statistics.mean(c for run in runs for c in run["calls"]),
            "answered": statistics.mean(a for run in runs for a in run["answered"]),
            "sandbox_runs": sum(run["sandbox_runs"] for run in runs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2 prompts, 3 steps, 1 run per path")
    parser.add_argument("--steps", type=int, default=5, help="optimizer steps per run (the first is warm-up)")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each path, alternating")
    parser.add_argument("--prompts", type=int, default=4, help="questions per step")
    parser.add_argument("--generations", type=int, default=4, help="completions per question")
    parser.add_argument("--code", default="print(6 * 7)",
                        help="the script every completion runs (a slow one shows what running tool calls one "
                             "after another costs)")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads: the tiny model gains nothing from more, and spinning intra-op threads "
                             "make timings erratic when another process wants the CPU")
    parser.add_argument("--out", type=Path, help="write the numbers as JSON here")
    args = parser.parse_args()
    if args.quick:
        args.prompts, args.steps, args.repeats = 2, 3, 1
    hf_logging.disable_progress_bar()
    torch.set_num_threads(args.threads)
    items = get_task("symbench/number_multiply").items(args.prompts, seed=0)
    runs = {"r1ci": [], "trl": []}
    with tempfile.TemporaryDirectory() as tmp, Runtime(workers=2) as runtime:
        model_dir = build_tiny(Path(tmp) / "tiny", TinyModel(copy_steps=0))
        for _ in range(args.repeats):
            for path in runs:
                runs[path].append(run_path(path, model_dir, items, runtime.sandbox, runtime.grader, args, Path(tmp)))
    results = {path: summarise(path_runs) for path, path_runs in runs.items()}
    print(f"GRPO on CPU, tiny Qwen2, {args.prompts} prompts x {args.generations} generations per step, each "
          f"completion one code call ({args.code!r}); steps 2-{args.steps} of {args.repeats} run(s) per path")
    print(f"{'path':18} {'s/step':>7} {'sampling':>9} {'rest':>6} | {'prompt':>6} {'completion':>10} {'model':>6} "
          f"{'calls':>6} {'answered':>8} {'sandbox runs':>12}")
    for path, label in (("r1ci", "r1ci rollout_func"), ("trl", "TRL tools=")):
        r = results[path]
        print(f"{label:18} {r['step_s']:7.2f} {r['sampling_s']:9.2f} {r['rest_s']:6.2f} | {r['prompt_tokens']:6.0f} "
              f"{r['completion_tokens']:10.0f} {r['model_tokens']:6.0f} {r['code_calls']:6.2f} {r['answered']:8.2f} "
              f"{r['sandbox_runs']:12d}")
    print("seconds: medians; tokens: means per completion (completion = model-written + tool output); calls and "
          "answered: per completion, as each trainer logged them")
    ratios = {k: results["trl"][k] / results["r1ci"][k] for k in ("step_s", "sampling_s", "rest_s")}
    print(f"TRL / r1ci: {ratios['step_s']:.2f}x the seconds per step (sampling {ratios['sampling_s']:.2f}x, "
          f"rest {ratios['rest_s']:.2f}x)")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        settings = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
        args.out.write_text(json.dumps({"settings": settings, "ratios": ratios, **results}, indent=1))


if __name__ == "__main__":
    main()
