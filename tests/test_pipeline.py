"""`r1ci pipeline` at toy size: every step runs and reports, a re-run resumes, bad configs fail clearly."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from r1ci.pipeline import Pipeline, load_config, section_settings
from r1ci.tasks.selection import questions_in

R1CI = str(Path(sys.executable).with_name("r1ci"))
TOY = """
tasks = ["symbench/number_multiply", "rg/prime_factorization"]
seed = 3
workers = 1
{extra}
[model.tiny]
vocab_size = 1024
hidden = 32
layers = 1
heads = 2
intermediate = 64
copy_steps = 20

[synth]
per_task = 6

[sft]
max_steps = 3
batch_size = 4
learning_rate = 1e-3
save_steps = 100

[potential]
n_per_task = 2
mix = "ci:1.0:2"
max_new_tokens = 16

[rl]
stages = 2
steps_per_stage = 1
num_generations = 2
prompts_per_step = 2
max_new_tokens = 16

[eval]
n_per_task = 2
unseen_tasks = ["rg/gcd"]
modes = ["ci"]
max_new_tokens = 16
"""


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("pipeline")
    config = tmp_path / "toy.toml"
    config.write_text(TOY.format(extra='launcher = ["env"]'))  # training steps through a (trivial) launcher
    out = tmp_path / "run"
    return config, out, Pipeline(config, out).run(log=lambda *_: None)


def test_pipeline_runs_every_step_and_resumes(toy_run):
    config, out, results = toy_run
    assert set(results["eval"]) == {"base-ci", "sft-ci", "rl-ci", "base-ci-unseen", "sft-ci-unseen", "rl-ci-unseen"}
    assert all(set(row["by_task"]) == {"rg/gcd"} for name, row in results["eval"].items() if row["unseen"])
    trained = questions_in([out / "sft-data.jsonl", out / "potential" / "potential.jsonl"])
    for name, row in results["eval"].items():
        evaluated = [json.loads(line)["question"] for line in (out / "eval" / name / "results.jsonl").open()]
        assert row["questions"] == len(evaluated) > 0 and not trained & set(evaluated)
    assert results["sft"]["steps"] == 3 and results["rl"]["steps"] == 2
    assert results["potential"]["questions"] == 4 and sum(results["potential"]["groups"]) == 4
    report = (out / "report.md").read_text()
    assert report.startswith("# Did training help?") and "- **Did SFT help, with the interpreter?" in report
    assert "| after GRPO |" in report and "## Unseen test tasks" in report and "potential/potential.png" in report
    assert 'id="answers"' in (out / "report.html").read_text() and (out / "rl" / "metrics.png").exists()
    # each answer is a paired comparison, recomputed from the two evaluations' per-question outcomes
    sft_gain = next(c for c in results["comparisons"] if (c["a"], c["b"]) == ("base-ci", "sft-ci"))
    base, sft = (results["eval"][name]["outcomes"] for name in ("base-ci", "sft-ci"))
    assert set(base) == set(sft) and sft_gain["n"] == len(base)
    assert sft_gain["difference"] == pytest.approx((sum(sft.values()) - sum(base.values())) / len(base))
    assert {(c["a"], c["b"]) for c in results["comparisons"]} == {("base-ci", "sft-ci"), ("sft-ci", "rl-ci"), (
        "base-ci-unseen", "sft-ci-unseen"), ("sft-ci-unseen", "rl-ci-unseen")}
    seconds = json.loads((out / "results.json").read_text())["seconds"]
    # a re-run finds every step done and only reports
    again = subprocess.run([R1CI, "pipeline", "--config", str(config), "--out", str(out)], capture_output=True,
                           text=True, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "[sft]" not in again.stdout and "held-out accuracy" in again.stdout, again.stdout
    assert json.loads((out / "results.json").read_text())["seconds"] == seconds
    # another config in the same folder is refused, not mixed in
    other = config.with_name("other.toml")
    other.write_text(TOY.format(extra="").replace("max_steps = 3", "max_steps = 4"))
    refused = subprocess.run([R1CI, "pipeline", "--config", str(other), "--out", str(out)], capture_output=True,
                             text=True, timeout=300)
    assert refused.returncode == 2 and "another config" in refused.stdout


def test_a_text_arm_run_answers_code_against_text_in_a_page_that_renders(tmp_path, chromium):
    from r1ci.pipeline import ANSWERS

    config = tmp_path / "arm.toml"
    config.write_text(TOY.format(extra='text_arm = true\nabout = "A toy run: it shows the wiring, not learning."')
                      .replace('modes = ["ci"]', 'modes = ["ci", "text"]'))
    out = tmp_path / "run"
    results = Pipeline(config, out).run(log=lambda *_: None)
    assert {n for n in results["eval"] if not n.endswith("-unseen")} == {"base-ci", "base-text", "sft-ci", "sft-text",
                                                                           "rl-ci"}
    evaluated = json.loads((out / "eval" / "sft-text" / "config.json").read_text())["model"]
    assert evaluated == str(out / "sft-text")  # in text mode, "sft" is the text arm's model
    assert questions_in([out / "sft-data-text.jsonl"]) == questions_in([out / "sft-data.jsonl"])
    matched = results["sft_text"]["matched"]
    assert matched["ci"]["steps"] == 3 and matched["text"]["steps"] >= 3
    assert [c["question"] for c in results["comparisons"] if not c["a"].endswith("-unseen")] == [q for q, *_ in ANSWERS]
    report = (out / "report.md").read_text()
    assert "the text arm (SFT on worked solutions)" in report and "A toy run" in report
    # the page a user opens: answers first, then the tables, in a real browser
    page = out / "report.html"
    dom = subprocess.run([chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
                          f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    answers, held_out = dom.find('<ul id="answers">'), dom.find('<table id="held-out">')
    assert 0 < answers < held_out and "Does code beat text after SFT?" in dom[answers:held_out]
    assert dom.count("<li>") >= len(ANSWERS) and "data:image/png;base64," in dom


def test_curriculum_study_compares_equal_step_budgets(toy_run, tmp_path):
    from r1ci.study import run_curriculum_study

    _, out, _ = toy_run
    result = run_curriculum_study(out, tmp_path, seeds=2, variants=("plain", "curriculum"), log=lambda *_: None)
    assert [(r["seed"], r["variant"]) for r in result["runs"]] == [(0, "plain"), (0, "curriculum"), (1, "plain"),
                                                                   (1, "curriculum")]
    assert {r["steps"] for r in result["runs"]} == {2} and result["total_steps"] == 2
    plain, curriculum = result["runs"][:2]
    assert plain["stages"] == [{"questions": 4, "steps": 2}]  # one stage over every question
    assert sum(s["steps"] for s in curriculum["stages"]) == 2 and curriculum["stages"][-1]["questions"] == 4
    for row in result["summary"].values():
        assert len(row["per_seed"]) == 2 and row["mean_gain"] == pytest.approx(sum(row["per_seed"]) / 2)


@pytest.mark.parametrize("change, message", [
    ('[sft]\nmax_stepz = 3', "unknown key(s) in [sft]: max_stepz"),
    ("tasks = []", "`tasks`"),
    ('tasks = ["rg/gcd"]', "not train tasks: rg/gcd"),
    ("[rl]\nnum_generations = 1", "at least 2"),
    ("colour = 1\ntasks = ['rg/gcd']", "unknown key(s) colour"),
    ("tasks = [", "cannot read the pipeline config"),
    ('tasks = ["rg/ab"]\n[eval]\nunseen_tasks = ["rg/ab"]', "unseen_tasks must be test tasks, not rg/ab"),
    ('tasks = ["rg/ab"]\ntext_arm = true\n[synth]\nteacher = "openai:http://x:gpt-4o"', "text_arm needs the scripted"),
])
def test_bad_configs_name_the_problem(tmp_path, change, message):
    path = tmp_path / "bad.toml"
    path.write_text(change + "\n")
    if "tasks" not in change and "colour" not in change:
        path.write_text('tasks = ["symbench/number_multiply"]\n' + change + "\n")
    with pytest.raises(ValueError) as error:
        load_config(path)
    assert message in str(error.value)


def test_the_pipeline_ties_the_steps_together(tmp_path):
    """What each table gets from the pipeline: the models, the tasks, the questions to leave out, the seeds."""
    path = tmp_path / "toy.toml"
    path.write_text(TOY.format(extra=""))
    pipeline = Pipeline(path, tmp_path / "run")
    potential = section_settings(pipeline.config, "potential", pipeline.out)
    assert potential.seed == 4 and potential.exclude == [str(pipeline.out / "sft-data.jsonl")]
    assert potential.tasks == pipeline.config.tasks and potential.mix == "ci:1.0:2"  # the table's own value
    held_out = pipeline.eval_config(str(pipeline.out / "sft"), "ci")
    assert (held_out.split, held_out.tasks, held_out.temperature, held_out.seed) == ("train", pipeline.config.tasks,
                                                                                     0.0, 5)
    assert held_out.exclude == [str(pipeline.out / "sft-data.jsonl"), str(pipeline.out / "potential" / "potential.jsonl")]
    unseen = pipeline.eval_config(str(pipeline.out / "sft"), "ci", unseen=True)
    assert (unseen.split, unseen.tasks, unseen.rollout.max_new_tokens) == ("test", ["rg/gcd"], 16)
    assert unseen.exclude == held_out.exclude  # nothing the model saw, whichever task it came from


def test_shipped_configs_are_valid():
    root = Path(__file__).resolve().parents[1] / "configs" / "pipeline"
    tiny, qwen = load_config(root / "tiny.toml"), load_config(root / "qwen2.5-7b.toml")
    smollm2 = load_config(root / "smollm2.toml")
    rl = section_settings(smollm2, "rl", Path("run"))
    assert smollm2.model.smollm2 and len(smollm2.eval.unseen_tasks) == 6 and rl.beta == 0.0
    rl = section_settings(qwen, "rl", Path("run"))
    assert len(qwen.tasks) == 107 and rl.learning_rate == 1e-6 and rl.num_generations == 5
    assert tiny.model.path is None and section_settings(tiny, "synth", Path("run")).teacher == "scripted"
    assert section_settings(qwen, "rl", Path("run")).generation == "vllm"  # the pipeline's `generation`
    cluster = section_settings(load_config(root / "qwen2.5-14b-cluster.toml"), "rl", Path("run"))
    assert (cluster.generation, cluster.vllm_mode, cluster.vllm_server_url) == ("vllm", "server", "http://10.0.0.3:8000")


@pytest.mark.slow
def test_default_pipeline_shows_a_held_out_gain(tmp_path):
    """The main job itself (about 14 minutes on 2 cores): the trained model beats the untrained one.
    R1CI_PIPELINE_RUN=runs/pipeline checks a run already made with this config (it resumes: nothing reruns)."""
    config = Path(__file__).resolve().parents[1] / "configs" / "pipeline" / "tiny.toml"
    results = Pipeline(config, Path(os.environ.get("R1CI_PIPELINE_RUN") or tmp_path)).run(log=lambda *_: None)
    base, trained = results["eval"]["base-ci"], results["eval"]["rl-ci"]
    assert base["questions"] >= 50 and trained["questions"] == base["questions"]
    assert trained["correct"] > base["correct"], results["eval"]


def test_learning_study_records_every_comparison_with_per_question_outcomes(tmp_path):
    from r1ci.study import run_learning_study

    config = tmp_path / "toy.toml"
    config.write_text(TOY.format(extra="text_arm = true").replace('modes = ["ci"]', 'modes = ["ci", "text"]'))
    out = tmp_path / "study"
    result = run_learning_study(config, out, seeds=1, log=lambda *_: None)
    runs = result["runs"]
    assert json.loads((out / "learning.json").read_text())["runs"] == runs
    keys = {"study", "seed", "model", "mode", "tasks", "n", "correct", "per_task", "questions", "command"}
    assert all(set(r) == keys and r["n"] == sum(n for n, _ in r["per_task"].values()) == len(r["questions"]) and
               r["correct"] == sum(c for _, c in r["per_task"].values()) == sum(r["questions"].values()) for r in runs)
    seen = {(r["study"], r["model"], r["mode"], r["tasks"]) for r in runs}
    for tasks in ("train-heldout", "test"):
        code_vs_text = {("code-vs-text", m, mode, tasks) for m in ("untrained", "sft-ci", "sft-text")
                        for mode in ("ci", "text")}
        assert code_vs_text | {("grpo", m, "ci", tasks) for m in ("sft-ci", "grpo-plain", "grpo-curriculum")} <= seen
    assert {t for r in runs if r["tasks"] == "test" for t in r["per_task"]} == {"rg/gcd"}
    # every arm is scored on the same questions
    heldout = [set(r["questions"]) for r in runs if r["tasks"] == "train-heldout"]
    assert all(q == heldout[0] for q in heldout)
    # the leakage check ran the trained programs on the test task, and the majority baseline graded its answers
    assert set(result["near_trained_check"]) == {"rg/gcd"} and result["near_trained"] == []
    assert set(result["majority"]["seed0"]["questions"]) == heldout[0] | {
        q for r in runs if r["tasks"] == "test" for q in r["questions"]}
    gcd = [v for q, v in result["majority"]["seed0"]["questions"].items() if q.startswith("rg/gcd/")]
    assert result["baselines"]["rg/gcd"] == pytest.approx(sum(gcd) / len(gcd), abs=1e-4)
    assert set(result["baselines"]) == {"rg/gcd", "symbench/number_multiply", "rg/prime_factorization"}
    # the summary is recomputed from the per-question outcomes
    summary = result["summary"]
    sft = next(r for r in runs if (r["study"], r["model"], r["tasks"]) == ("grpo", "sft-ci", "train-heldout"))
    plain = next(r for r in runs if (r["model"], r["tasks"]) == ("grpo-plain", "train-heldout"))
    row = summary["accuracy"]["sft-ci ci train-heldout"]
    assert row["correct"] == sft["correct"] and row["interval"][0] <= row["accuracy"] <= row["interval"][1]
    assert row["mean_over_tasks"] == pytest.approx(sum(c / n for n, c in sft["per_task"].values()) / 2, abs=1e-4)
    plain_log = result["grpo"]["seed0"]["grpo-plain"]
    assert plain_log["plan"] == [[4, 2]] and len(plain_log["reward"]) == 2 and plain_log["seconds_per_step"] > 0
    comparison = summary["comparisons"]["grpo-plain vs sft-ci"]
    assert comparison["n"] == sft["n"] and comparison["difference"] == pytest.approx(
        (plain["correct"] - sft["correct"]) / sft["n"], abs=1e-4)
    assert comparison["interval"][0] <= comparison["difference"] <= comparison["interval"][1]
    assert 0 <= comparison["p_value"] <= 1 and all(isinstance(t["met"], bool) for t in summary["targets"].values())
    tables = (out / "learning.md").read_text()  # the README's tables, written from the same summary
    assert "## Held-out questions of the trained tasks" in tables and "## The test tasks, less the near-trained" in tables
    low, high = comparison["interval"]
    assert (f"| grpo-plain vs sft-ci | {comparison['n']} | {100 * comparison['difference']:+.1f} [{100 * low:+.1f}, "
            f"{100 * high:+.1f}] |") in tables
    assert f"| sft-ci ci | " in tables and f"({row['correct']}/{row['n']})" in tables
    # the text arm trained on the same questions, with as many supervised tokens as the ci arm (to within a step)
    matched = json.loads((out / "seed0" / "pipeline" / "sft-text" / "result.json").read_text())["matched"]
    assert matched["text"]["steps"] > matched["ci"]["steps"] == 3  # its rows carry fewer supervised tokens
    per_step = 4 * matched["text"]["supervised_tokens"] / matched["text"]["rows"]
    assert abs(matched["text"]["supervised_tokens_trained"] - matched["ci"]["supervised_tokens_trained"]) <= per_step
    ci_questions = questions_in([out / "seed0" / "pipeline" / "sft-data.jsonl"])
    assert questions_in([out / "seed0" / "pipeline" / "sft-data-text.jsonl"]) == ci_questions
    plain_plan = json.loads((out / "seed0" / "grpo-plain" / "settings.json").read_text())
    assert plain_plan["plan"] == [[4, 2]]  # one stage, the curriculum's two steps
    # a finished study re-runs from its markers: nothing is trained again
    stamp = (out / "seed0" / "pipeline" / "sft-text" / "result.json").stat().st_mtime
    assert run_learning_study(config, out, seeds=1, log=lambda *_: None)["runs"] == runs
    assert (out / "seed0" / "pipeline" / "sft-text" / "result.json").stat().st_mtime == stamp


def test_the_data_table_reaches_every_step_that_reads_data(tmp_path):
    """[data] is the run's one place for the folders; a step's table may not set them."""
    path = tmp_path / "toy.toml"
    path.write_text(TOY.format(extra=f'[data]\nbbh_dir = "{tmp_path}"\n'))
    pipeline = Pipeline(path, tmp_path / "run")
    for settings in (pipeline.settings("synth"), pipeline.settings("potential"),
                     pipeline.eval_config(str(tmp_path / "m"), "ci")):
        assert settings.data.bbh_dir == tmp_path.resolve()
    path.write_text(TOY.format(extra="") + f'bbh_dir = "{tmp_path}"\n')  # under [eval], the last table
    with pytest.raises(ValueError, match="bbh_dir: set by the pipeline"):
        load_config(path)
    path.write_text(TOY.format(extra='[data]\nbbh_dir = "/nowhere/at/all"\n'))
    with pytest.raises(ValueError, match=r"\[data\]: bbh_dir: /nowhere/at/all is not a folder"):
        load_config(path)
