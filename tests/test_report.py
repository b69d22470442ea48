import json
import re
import subprocess

import pytest

from r1ci.report import write_report

XSS = "<script>alert(1)</script>"

SUMMARY = {
    "model": "path/or/openai:url:name", "mode": "ci", "split": "test", "temperature": 0.6, "n_items": 40,
    "created": "2026-11-25T01:00:00Z",
    "overall": {"n": 40, "accuracy": 0.425, "code_calls": 1.3, "turns": 2.2, "tokens": 310.5, "timeouts": 0.05,
                "self_check_rate": 0.1},
    "by_source": {"bbh": {"n": 20, "accuracy": 0.5, "code_calls": 0.9, "turns": 1.9, "tokens": 250.0,
                          "timeouts": 0.0, "self_check_rate": 0.05},
                  "symbench": {"n": 20, "accuracy": 0.35, "code_calls": 1.7, "turns": 2.5, "tokens": 371.0,
                               "timeouts": 0.1, "self_check_rate": 0.15}},
    "by_task": {"symbench/game24": {"n": 20, "accuracy": 0.35, "code_calls": 1.7},
                "bbh/snarks": {"n": 10, "accuracy": 0.6, "code_calls": 0.5},
                "bbh/navigate": {"n": 10, "accuracy": 0.4, "code_calls": 1.3}},
    "code_calls_histogram": {"0": 10, "1": 20, "2": 8, "3": 2},
    "reference": {"note": "Each row is a mean over tasks",
                  "table": [{"row": "BBH test", "tasks": 2, "of": 7, "questions": 20, "accuracy": 0.5, "paper": 0.865},
                            {"row": "all 37 test tasks", "tasks": 3, "of": 37, "questions": 40, "accuracy": 0.45,
                             "paper": 0.724}],
                  "rows": [["R1-CI-14B (paper)", 0.724], ["GPT-4o + Code Interpreter (paper)", 0.709],
                           ["GPT-4o text only (paper)", 0.586], ["Qwen-2.5-14B before training (paper)", 0.441],
                           ["this run (3 of 37 test tasks)", 0.45]]},
}


def trajectory(i: int, correct: bool, model_text: str = "Let me compute.\n```python\nprint(1+2)\n```") -> dict:
    return {
        "id": f"symbench/game24/{i}", "task": "symbench/game24", "mode": "ci", "question": f"Use 4 numbers, case {i}",
        "reference": "(1+2)*8",
        "segments": [{"kind": "prompt", "text": "<system and user text>"},
                     {"kind": "model", "text": model_text},
                     {"kind": "tool", "text": "\nCode Execution Results:\n3\n", "code": "print(1+2)", "status": "ok"},
                     {"kind": "model", "text": "So <<<(1+2)*8>>>"}],
        "answer": "(1+2)*8" if correct else "7", "correct": correct, "score": float(correct), "stop": "answer",
        "metrics": {"code_calls": 1, "turns": 2, "model_tokens": 40, "timeouts": 0, "self_check": False},
    }


TRAJECTORIES = [trajectory(i, correct=i % 2 == 0) for i in range(8)]


def markup_text(markdown: str) -> str:
    """What a Markdown renderer parses as markup: everything outside fenced blocks and code spans."""
    kept, fence = [], None
    for line in markdown.splitlines():
        opener = re.match(r"^(`{3,})", line)
        if fence is None and opener:
            fence = opener.group(1)
        elif fence is not None and line.strip() == fence:
            fence = None
        elif fence is None:
            kept.append(line)
    return re.sub(r"(`+).*?\1", "", "\n".join(kept))


def test_writes_both_reports_with_scores_tasks_and_plots(tmp_path):
    md_path, html_path = write_report(tmp_path, SUMMARY, TRAJECTORIES)
    assert (md_path, html_path) == (tmp_path / "report.md", tmp_path / "report.html")
    md, page = md_path.read_text(), html_path.read_text()
    assert "42.5%" in md and "72.4%" in md and "this run" in md
    for task in SUMMARY["by_task"]:
        assert task in md and task in page
    assert md.index("bbh/navigate") < md.index("bbh/snarks") < md.index("symbench/game24")
    assert '<span id="overall-accuracy">42.5%</span>' in page
    assert 'id="by-task"' in page and "<title>" in page
    assert page.count('<img src="data:image/png;base64,') == 2
    for png in ("plots/accuracy_by_task.png", "plots/code_calls.png"):
        assert f"]({png})" in md
        assert (tmp_path / png).read_bytes().startswith(b"\x89PNG")
    assert "http://" not in page and "https://" not in page  # self-contained: nothing to fetch
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plots", "report.html", "report.md"]  # no temp files left


def test_examples_are_half_correct_half_incorrect_in_id_order(tmp_path):
    md_path, html_path = write_report(tmp_path, SUMMARY, TRAJECTORIES[::-1], examples=4)
    md = md_path.read_text()
    shown = re.findall(r"^### (\S+): (\w+)$", md, flags=re.M)
    assert shown == [("symbench/game24/0", "correct"), ("symbench/game24/1", "incorrect"),
                     ("symbench/game24/2", "correct"), ("symbench/game24/3", "incorrect")]
    assert "```python\nprint(1+2)\n```" in md
    page = html_path.read_text()
    assert '<pre class="code"><code>print(1+2)</code></pre>' in page
    assert '<pre class="tool">' in page and "interpreter output" in page
    assert 'class="badge ok"' in page and 'class="badge bad"' in page


def test_examples_fill_from_correct_when_few_failed_and_sort_ids_numerically(tmp_path):
    trajs = [trajectory(i, correct=i != 10) for i in (10, 2, 3, 1)]
    md = write_report(tmp_path, SUMMARY, trajs, examples=3)[0].read_text()
    assert re.findall(r"^### (\S+):", md, flags=re.M) == ["symbench/game24/1", "symbench/game24/2",
                                                           "symbench/game24/10"]


def test_untrusted_text_is_escaped(tmp_path):
    evil = trajectory(0, correct=False, model_text=f"Hi {XSS}\n```python\nprint('{XSS}')\n```\n````\n{XSS}")
    evil.update(question=f"Q {XSS}", answer='"><img src=x onerror=alert(2)>', reference=XSS)
    evil["segments"].append({"kind": "tool", "text": XSS, "status": "<b>error</b>"})
    reference = {**SUMMARY["reference"], "note": XSS, "table": [{"row": XSS, "tasks": 1, "of": 1, "accuracy": XSS}],
                 "rows": [[XSS, 0.5]]}
    md_path, html_path = write_report(tmp_path, {**SUMMARY, "model": XSS, "reference": reference}, [evil], examples=1)
    page = html_path.read_text()
    assert "<script" not in page.lower() and "<img src=x" not in page and "<b>error" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in markup_text(md_path.read_text()).lower()


def test_empty_sections_and_missing_fields_do_not_crash(tmp_path):
    summary = {**SUMMARY, "by_source": {}, "by_task": {}, "code_calls_histogram": {}, "reference": {}}
    md_path, html_path = write_report(tmp_path / "a", summary, [])
    assert "42.5%" in md_path.read_text()
    page = html_path.read_text()
    assert "<img" not in page and "Compared with the paper" not in page
    assert not (tmp_path / "a" / "plots").exists()

    ragged = [None, {}, {"id": None, "segments": [None, {"kind": "model"}, {"text": None}], "metrics": None},
              {"id": "x/y/1", "correct": True, "segments": "not a list", "answer": None}]
    summary = {"overall": None, "by_task": {"x/y": None, "x/z": {"accuracy": "n/a"}},
               "code_calls_histogram": {"1": None},
               "reference": {"rows": [["only a name"], None], "table": [None, {"row": None, "tasks": "x"}]}}
    md_path, html_path = write_report(tmp_path / "b", summary, ragged, examples=4)
    assert "x/y" in md_path.read_text() and "x/z" in md_path.read_text()
    assert '<span id="overall-accuracy">—</span>' in html_path.read_text()
    write_report(tmp_path / "c", {}, [], examples=0)


def test_report_renders_in_headless_chromium(tmp_path, chromium):
    browser = chromium
    _, html_path = write_report(tmp_path / "run", SUMMARY, TRAJECTORIES + [trajectory(9, False, f"oops {XSS}")],
                                examples=6)
    base = [browser, "--headless=new", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}"]
    shot = tmp_path / "shot.png"
    subprocess.run(base + [f"--screenshot={shot}", "--window-size=1280,2000", html_path.as_uri()],
                   capture_output=True, timeout=60, check=True)
    from PIL import Image  # matplotlib depends on Pillow, so it is there whenever the report writer is

    with Image.open(shot) as im:
        assert im.size == (1280, 2000)
        colors = im.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colors is None or len(colors) > 50, "the screenshot is (nearly) blank"

    dom = subprocess.run(base + ["--dump-dom", html_path.as_uri()], capture_output=True, text=True, timeout=60,
                         check=True).stdout
    assert re.search(r'<span id="overall-accuracy">\s*42\.5%\s*</span>', dom)
    table = re.search(r'<table id="by-task">.*?</table>', dom, flags=re.S)
    assert table and all(task in table.group(0) for task in SUMMARY["by_task"])
    assert "<script" not in dom.lower()  # the model's <script> stayed text: Chromium built no element from it


def fake_record(task: str, i: int, correct: bool) -> dict:
    return {"id": f"{task}/{i}", "task": task, "score": float(correct), "stop": "answer",
            "metrics": {"code_calls": 1, "turns": 2, "model_tokens": 10, "timeouts": 0, "self_check": False}}


def test_a_report_over_both_splits_has_the_papers_table_averaged_over_tasks(tmp_path):
    from r1ci.evaluate import EvalConfig, summarize

    # (task, questions, correct); bbh/snarks and bbh/word_sorting weigh alike per task, not per question
    runs = [("bbh/snarks", 2, 2), ("bbh/word_sorting", 8, 0), ("symbench/game24", 4, 1), ("rg/gcd", 4, 3),  # test
            ("bbh/navigate", 4, 4), ("rg/basic_arithmetic", 4, 1),                                            # train
            ("ood/aime_2024", 2, 1), ("ood/aime_2025", 2, 0), ("ood/gpqa_diamond", 4, 1)]                     # OOD
    records = [fake_record(task, i, i < correct) for task, n, correct in runs for i in range(n)]
    summary = summarize(EvalConfig(model="fake", split="all"), records)
    json.dumps(summary)  # summary.json holds it as it is
    rows = {r["row"]: r for r in summary["reference"]["table"]}
    assert list(rows) == ["BBH test", "SymBench test", "Reasoning-Gym test", "all 37 test tasks", "BBH train",
                          "Reasoning-Gym train", "all 107 train tasks", "GPQA-Diamond", "AIME 2024/25"]
    assert rows["BBH test"] == {"row": "BBH test", "tasks": 2, "of": 7, "questions": 10, "accuracy": 0.5,
                                "paper": 0.865}
    assert rows["all 37 test tasks"]["accuracy"] == pytest.approx((1 + 0 + 0.25 + 0.75) / 4)  # over questions: 1/3
    assert rows["all 107 train tasks"]["accuracy"] == pytest.approx(0.625)
    assert (rows["AIME 2024/25"]["accuracy"], rows["AIME 2024/25"]["paper"]) == (0.25, 0.42)
    assert summary["reference"]["rows"][-1] == ["this run (4 of 37 test tasks)", 0.5]

    md_path, html_path = write_report(tmp_path, summary, [])
    md, page = md_path.read_text(), html_path.read_text()
    for line in ("| BBH test | 2/7 | 10 | 50.0% | 86.5% |", "| SymBench test | 1/9 | 4 | 25.0% | 65.6% |",
                 "| Reasoning-Gym test | 1/21 | 4 | 75.0% | 70.1% |", "| all 37 test tasks | 4/37 | 18 | 50.0% | 72.4% |",
                 "| BBH train | 1/20 | 4 | 100.0% | 91.9% |", "| Reasoning-Gym train | 1/63 | 4 | 25.0% | 58.9% |",
                 "| all 107 train tasks | 2/107 | 8 | 62.5% | 68.8% |", "| GPQA-Diamond | 1/1 | 4 | 25.0% | 50.2% |",
                 "| AIME 2024/25 | 2/2 | 4 | 25.0% | 42.0% |", "| this run (4 of 37 test tasks) | 50.0% |",
                 "| GPT-4o + Code Interpreter (paper) | 70.9% |"):
        assert line in md, line
    assert "SymBench train" not in md and "mean over tasks" in md
    table = re.search(r'<table id="paper-table">.*?</table>', page, flags=re.S).group(0)
    assert '<td>all 107 train tasks</td><td class="num">2/107</td><td class="num">8</td>' in table
    assert '<td class="num">62.5%</td><td class="num">68.8%</td>' in table
    assert '<tr class="ours"><td>this run (4 of 37 test tasks)</td>' in page

    train_only = summarize(EvalConfig(model="fake", split="train"), [r for r in records if "navigate" in r["task"]])
    assert [r["row"] for r in train_only["reference"]["table"]] == ["BBH train", "all 107 train tasks"]
    assert train_only["reference"]["rows"] == []  # the paper's test-task systems need test tasks
    assert summarize(EvalConfig(model="fake"), [])["reference"] == {}
