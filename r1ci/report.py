"""The reports: an evaluation's Markdown and self-contained HTML page from its summary and trajectories, a
pipeline run's report.md and report.html from its results.json, and the learning study's tables (learning.md)
from its summary.

Scores come from the caller's summary and are only formatted here, so the report can never disagree with
`summary.json`. Every string from a trajectory is model output or data we did not write: it is escaped in
HTML and kept inside fenced blocks in Markdown, never emitted as markup.
"""

import base64
import html
import re
from pathlib import Path

from r1ci.plots import accuracy_by_task, code_calls
from r1ci.protocol import CODE_BLOCKS
from r1ci.records import write_atomic

PERCENT_KEYS = {"accuracy", "self_check_rate"}
# (summary key, column header) of the metric tables; the same columns for overall, source and task.
COLUMNS = [
    ("n", "n"),
    ("accuracy", "accuracy"),
    ("code_calls", "code calls"),
    ("turns", "turns"),
    ("tokens", "tokens"),
    ("timeouts", "timeouts"),
    ("self_check_rate", "self-check"),
]
DASH = "—"
PAPER_TABLE_HEAD = ["", "tasks", "questions", "this run", "R1-CI-14B (paper)"]
PLOT_FILES = {"accuracy": "accuracy_by_task.png", "code_calls": "code_calls.png"}
PLOT_ALTS = {"accuracy": "Accuracy by task (horizontal bars, percent)",
             "code_calls": "Number of questions by code calls per question"}


def write_report(run_dir: Path, summary: dict, trajectories: list[dict], examples: int = 4) -> tuple[Path, Path]:
    """Write run_dir/report.md and run_dir/report.html (self-contained: plots embedded as base64 PNG) and return
    both paths. The Markdown links the same plots, written to run_dir/plots/."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    summary = _dict(summary)
    plots = _plots(summary)
    if plots:
        (run_dir / "plots").mkdir(exist_ok=True)
    for name, png in plots.items():
        write_atomic(run_dir / "plots" / PLOT_FILES[name], png)
    chosen = _pick_examples(trajectories or [], examples)
    md_path, html_path = run_dir / "report.md", run_dir / "report.html"
    write_atomic(md_path, _markdown(summary, plots, chosen).encode())
    write_atomic(html_path, _html(summary, plots, chosen).encode())
    return md_path, html_path


def _pick_examples(trajectories: list[dict], k: int) -> list[dict]:
    """Up to half correct and the rest incorrect, in id order, so a reader sees both successes and failures."""
    k = max(k, 0)
    ordered = sorted((t for t in trajectories if isinstance(t, dict)), key=lambda t: _natural_key(t.get("id")))
    correct = [t for t in ordered if t.get("correct") is True]
    other = [t for t in ordered if t.get("correct") is not True]
    n_correct = min(len(correct), k // 2)
    n_other = min(len(other), k - n_correct)
    n_correct = min(len(correct), k - n_other)  # fill from the correct ones when too few failed
    chosen = {id(t) for t in correct[:n_correct] + other[:n_other]}
    return [t for t in ordered if id(t) in chosen]


# ---------------------------------------------------------------- formatting


def _natural_key(value) -> list:
    """Sort `task/3` before `task/10`: digit runs compare as numbers."""
    parts = re.split(r"(\d+)", "" if value is None else str(value))
    return [int(p) if i % 2 else p for i, p in enumerate(parts)]


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _fmt(key: str, value) -> str:
    x = _number(value)
    if x is None:
        return DASH
    if key in PERCENT_KEYS:
        return f"{100 * x:.1f}%"
    if key == "n":
        return str(int(x))
    return f"{x:.1f}" if key == "tokens" else f"{x:.2f}"


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value) -> str:
    return "" if value is None else str(value)


def _header(summary: dict) -> list[tuple[str, str]]:
    n = summary.get("n_items", _dict(summary.get("overall")).get("n"))
    return [("model", _text(summary.get("model")) or DASH), ("mode", _text(summary.get("mode")) or DASH),
            ("split", _text(summary.get("split")) or DASH),
            ("temperature", _text(summary.get("temperature")) or DASH), ("items", _text(n) or DASH),
            ("date", _text(summary.get("created")) or DASH)]


def _stat_rows(groups) -> list[tuple[str, dict]]:
    """(name, stats) sorted by name, with digit runs in numeric order."""
    ordered = sorted(_dict(groups).items(), key=lambda kv: _natural_key(kv[0]))
    return [(str(name), _dict(stats)) for name, stats in ordered]


def _paper_table(summary: dict) -> tuple[list[list[str]], str]:
    """The paper's results table as the summary has it, as text cells (row, tasks evaluated of the row's,
    questions, ours, the paper's), and its note; empty when the summary carries none."""
    ref = _dict(summary.get("reference"))
    rows = []
    for r in ref.get("table") or []:
        if isinstance(r, dict):
            tasks, of = _number(r.get("tasks")), _number(r.get("of"))
            rows.append([_text(r.get("row")) or DASH, DASH if None in (tasks, of) else f"{int(tasks)}/{int(of)}",
                         _fmt("n", r.get("questions")), _fmt("accuracy", r.get("accuracy")),
                         _fmt("accuracy", r.get("paper"))])
    return rows, _text(ref.get("note")) if rows else ""


def _reference_rows(summary: dict) -> list[tuple[str, str]]:
    """The systems the paper compares on the test tasks, and this run's row among them (the summary's)."""
    ref = _dict(summary.get("reference"))
    return [(str(r[0]), _fmt("accuracy", r[1])) for r in ref.get("rows") or []
            if isinstance(r, (list, tuple)) and len(r) >= 2]


def _split_model_text(text: str) -> list[tuple[str, str]]:
    """Model text as ("prose" | "code", text) parts; an unclosed ```python block runs to the end (truncated output)."""
    parts, pos = [], 0
    for m in CODE_BLOCKS.finditer(text):
        parts.append(("prose", text[pos:m.start()]))
        parts.append(("code", m.group(1)))
        pos = m.end()
    parts.append(("prose", text[pos:]))
    return [(kind, body.strip("\n")) for kind, body in parts if body.strip()]


def _segments(traj: dict) -> list[dict]:
    return [s for s in traj.get("segments") or [] if isinstance(s, dict)]


def _verdict(traj: dict) -> tuple[str, str]:
    correct = traj.get("correct")
    return {True: ("correct", "ok"), False: ("incorrect", "bad")}.get(correct, ("unscored", "unknown"))


def _traj_facts(traj: dict) -> str:
    metrics = _dict(traj.get("metrics"))
    facts = [f"stop: {_text(traj.get('stop')) or DASH}"]
    facts += [f"{label}: {_text(metrics.get(key))}" for key, label in
              (("code_calls", "code calls"), ("turns", "turns"), ("model_tokens", "tokens"), ("timeouts", "timeouts"))
              if metrics.get(key) is not None]
    return " · ".join(facts)


# ---------------------------------------------------------------- plots


def _plots(summary: dict) -> dict[str, bytes]:
    """PNG bytes per plot; a plot whose data is empty is left out."""
    plots = {}
    tasks = [(name, _number(stats.get("accuracy"))) for name, stats in _stat_rows(summary.get("by_task"))]
    tasks = [(name, acc) for name, acc in tasks if acc is not None]
    if tasks:
        plots["accuracy"] = accuracy_by_task(tasks)
    hist = _dict(summary.get("code_calls_histogram"))
    bars = [(str(k), _number(v)) for k, v in sorted(hist.items(), key=lambda kv: _natural_key(kv[0]))]
    bars = [(k, v) for k, v in bars if v is not None]
    if bars:
        plots["code_calls"] = code_calls(bars)
    return plots


# ---------------------------------------------------------------- Markdown


def _md_cell(value: str) -> str:
    """A table cell that cannot break the table or open an HTML tag."""
    return " ".join(value.split()).replace("|", "\\|").replace("<", "&lt;")


def _md_fence(text: str, lang: str = "text") -> str:
    """A fenced block longer than any backtick run inside, so untrusted text cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{text}\n{fence}"


def _md_code_span(value) -> str:
    text = " ".join(_text(value).split())
    if not text:
        return DASH
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text[0] == "`" or text[-1] == "`" else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _md_table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _md_stats(first: str, rows: list[tuple[str, dict]]) -> str:
    return _md_table([first] + [label for _, label in COLUMNS],
                     [[name] + [_fmt(key, stats.get(key)) for key, _ in COLUMNS] for name, stats in rows])


def _md_example(traj: dict) -> str:
    verdict, _ = _verdict(traj)
    out = [f"### {_md_cell(_text(traj.get('id')) or 'unnamed')}: {verdict}", "", _md_cell(_traj_facts(traj)), "",
           "**Question**", "", _md_fence(_text(traj.get("question")))]
    for seg in _segments(traj):
        kind, text = _text(seg.get("kind")), _text(seg.get("text"))
        if kind == "model":
            out += ["", "**Model**"]
            out += ["\n" + _md_fence(body, "python" if part == "code" else "text")
                    for part, body in _split_model_text(text)]
        elif kind == "tool":
            status = _text(seg.get("status"))
            out += ["", f"**Interpreter output**{f' ({_md_cell(status)})' if status else ''}", "", _md_fence(text)]
        else:
            out += ["", f"**{_md_cell(kind or 'segment').capitalize()}**", "", _md_fence(text)]
    out += ["", f"**Answer:** {_md_code_span(traj.get('answer'))} · **Reference:** "
            f"{_md_code_span(traj.get('reference'))} · **{verdict}**"]
    return "\n".join(out)


def _markdown(summary: dict, plots: dict[str, bytes], chosen: list[dict]) -> str:
    overall = _dict(summary.get("overall"))
    out = ["# Evaluation report", ""] + [f"- **{k}:** {_md_cell(v)}" for k, v in _header(summary)]
    out += ["", "## Overall", "", f"**Accuracy: {_fmt('accuracy', overall.get('accuracy'))}**", "",
            _md_stats("", [("overall", overall)])]
    table, note = _paper_table(summary)
    if table:
        out += ["", "## Compared with the paper", "", _md_table(PAPER_TABLE_HEAD, table)]
        out += ["", f"_{_md_cell(note)}_"] if note else []
    ref_rows = _reference_rows(summary)
    if ref_rows:
        out += ["", "### Other systems on the test tasks (paper)", "",
                _md_table(["system", "accuracy"], [list(r) for r in ref_rows])]
    for title, key, first in (("By source", "by_source", "source"), ("By task", "by_task", "task")):
        rows = _stat_rows(summary.get(key))
        out += ["", f"## {title}", "", _md_stats(first, rows) if rows else "_No results._"]
    if plots:
        out += ["", "## Plots"]
        out += ["\n" + f"![{PLOT_ALTS[name]}](plots/{PLOT_FILES[name]})" for name in plots]
    if chosen:
        out += ["", "## Examples"]
        out += ["\n" + _md_example(t) for t in chosen]
    return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------- HTML

CSS = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; max-width: 1100px;
       margin: 2rem auto; padding: 0 1rem; }
h1 { margin-bottom: .3rem; } h2 { border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .6rem 0; font-size: 14px; }
th, td { border: 1px solid #d0d7de; padding: .25rem .6rem; text-align: left; }
th { background: #f6f8fa; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.ours td { font-weight: 600; background: #fff8c5; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; }
dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; word-break: break-all; }
.score { font-size: 1.4rem; } #overall-accuracy { font-size: 2.4rem; font-weight: 700; color: #0969da; }
.note { color: #57606a; font-style: italic; }
figure { margin: 1rem 0; } figure img { max-width: 100%; border: 1px solid #d0d7de; }
article.example { border: 1px solid #d0d7de; border-radius: 6px; padding: .4rem 1rem 1rem; margin: 1.2rem 0; }
.facts { color: #57606a; font-size: 13px; }
.label { font-size: 12px; font-weight: 600; text-transform: uppercase; color: #57606a; margin-top: .8rem; }
.prose { white-space: pre-wrap; word-wrap: break-word; }
pre { white-space: pre-wrap; word-wrap: break-word; margin: .3rem 0; padding: .5rem .7rem; border-radius: 4px;
      font: 13px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
pre.question { background: #f6f8fa; border: 1px solid #d0d7de; }
pre.code { background: #0d1117; color: #e6edf3; border-left: 4px solid #58a6ff; }
pre.tool { background: #fff8e6; border-left: 4px solid #d4a72c; }
pre.other { background: #f6f8fa; max-height: 20rem; overflow: auto; }
.badge { display: inline-block; padding: .05rem .6rem; border-radius: 1rem; color: #fff; font-size: 13px;
         font-weight: 600; vertical-align: middle; }
.badge.ok { background: #1a7f37; } .badge.bad { background: #cf222e; } .badge.unknown { background: #6e7781; }
.final code { background: #f6f8fa; padding: .05rem .3rem; border-radius: 3px; }
"""


def _e(value) -> str:
    return html.escape(_text(value), quote=True)


def _html_table(head: list[str], rows: list[list[str]], attrs: str = "", row_classes: list[str] | None = None) -> str:
    """Rows hold already-escaped cell HTML; every column after the first holds numbers and is right-aligned."""
    classes = row_classes or [""] * len(rows)
    out = [f"<table{attrs}><thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>"]
    for row, cls in zip(rows, classes):
        cells = "".join(f'<td class="num">{c}</td>' if i else f"<td>{c}</td>" for i, c in enumerate(row))
        out.append(f'<tr class="{cls}">{cells}</tr>' if cls else f"<tr>{cells}</tr>")
    return "\n".join(out + ["</tbody></table>"])


def _html_stats(first: str, rows: list[tuple[str, dict]], attrs: str = "") -> str:
    return _html_table([first] + [_e(label) for _, label in COLUMNS],
                       [[_e(name)] + [_e(_fmt(key, stats.get(key))) for key, _ in COLUMNS] for name, stats in rows],
                       attrs)


def _html_example(traj: dict) -> str:
    verdict, cls = _verdict(traj)
    out = ['<article class="example">',
           f'<h3>{_e(traj.get("id") or "unnamed")} <span class="badge {cls}">{verdict}</span></h3>',
           f'<div class="facts">{_e(_traj_facts(traj))}</div>',
           '<div class="label">question</div>', f'<pre class="question">{_e(traj.get("question"))}</pre>']
    for seg in _segments(traj):
        kind, text = _text(seg.get("kind")), _text(seg.get("text"))
        if kind == "model":
            out.append('<div class="label">model</div>')
            out += [f'<pre class="code"><code>{_e(body)}</code></pre>' if part == "code"
                    else f'<div class="prose">{_e(body)}</div>' for part, body in _split_model_text(text)]
        elif kind == "tool":
            status = _text(seg.get("status"))
            out += [f'<div class="label">interpreter output{f" ({_e(status)})" if status else ""}</div>',
                    f'<pre class="tool">{_e(text)}</pre>']
        else:
            out.append(f'<details><summary class="label">{_e(kind or "segment")}</summary>'
                       f'<pre class="other">{_e(text)}</pre></details>')
    out += [f'<p class="final">answer: <code>{_e(traj.get("answer")) or DASH}</code> · reference: '
            f'<code>{_e(traj.get("reference")) or DASH}</code> · <span class="badge {cls}">{verdict}</span></p>',
            "</article>"]
    return "\n".join(out)


def _html(summary: dict, plots: dict[str, bytes], chosen: list[dict]) -> str:
    overall = _dict(summary.get("overall"))
    header = _header(summary)
    title = f"r1ci report: {header[0][1]} ({header[1][1]}, {header[2][1]})"
    body = ["<h1>Evaluation report</h1>", '<dl class="meta">']
    body += [f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in header]
    body += ["</dl>", "<h2>Overall</h2>",
             f'<p class="score"><span id="overall-accuracy">{_e(_fmt("accuracy", overall.get("accuracy")))}</span>'
             " accuracy</p>", _html_stats("", [("overall", overall)])]
    table, note = _paper_table(summary)
    if table:
        body += ["<h2>Compared with the paper</h2>",
                 _html_table([_e(h) for h in PAPER_TABLE_HEAD], [[_e(c) for c in row] for row in table],
                             ' id="paper-table"')]
        body += [f'<p class="note">{_e(note)}</p>'] if note else []
    ref_rows = _reference_rows(summary)
    if ref_rows:
        body += ["<h3>Other systems on the test tasks (paper)</h3>",
                 _html_table(["system", "accuracy"], [[_e(name), _e(acc)] for name, acc in ref_rows],
                             row_classes=["ours" if name.startswith("this run") else "" for name, _ in ref_rows])]
    for title_, key, first, attrs in (("By source", "by_source", "source", ' id="by-source"'),
                                      ("By task", "by_task", "task", ' id="by-task"')):
        rows = _stat_rows(summary.get(key))
        body += [f"<h2>{title_}</h2>", _html_stats(first, rows, attrs) if rows else "<p>No results.</p>"]
    if plots:
        body.append("<h2>Plots</h2>")
        body += [f'<figure><img src="data:image/png;base64,{base64.b64encode(png).decode()}" '
                 f'alt="{_e(PLOT_ALTS[name])}"><figcaption>{_e(PLOT_ALTS[name])}</figcaption></figure>'
                 for name, png in plots.items()]
    if chosen:
        body.append("<h2>Examples</h2>")
        body += [_html_example(t) for t in chosen]
    return _page(title, body)


def _page(title: str, body: list[str]) -> str:
    """A self-contained HTML page around already-escaped body parts."""
    return ('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


# ---------------------------------------------------------------- the pipeline's report


def pipeline_report(results: dict, run_dir: Path) -> tuple[str, str]:
    """report.md and report.html of a pipeline run, from its results.json: first the answers to "did training
    help, with the interpreter and without?" (the paired comparisons), then the accuracy tables, the paper's rows
    beside ours, and what each step did. The HTML page embeds the run's plots."""
    blocks = _pipeline_blocks(results)
    blocks = [b for b in blocks if b[0] != "img" or (Path(run_dir) / b[1]).exists()]
    return _blocks_markdown(blocks), _blocks_html(blocks, Path(run_dir))


SIGNIFICANCE = 0.05  # a paired difference with McNemar p below this is reported as an effect


def _eval_names(results: dict) -> dict[str, str]:
    """Evaluation name (without -unseen) -> how the report calls it."""
    text_sft = "the text arm (SFT on worked solutions)" if results.get("text_arm") else "SFT without the interpreter"
    return {"base-ci": "untrained with the interpreter", "base-text": "untrained, text only",
            "sft-ci": "SFT with the interpreter", "sft-text": text_sft, "rl-ci": "GRPO with the interpreter",
            "rl-text": "GRPO without the interpreter"}


def _share(correct: int, n: int) -> str:
    return f"{100 * correct / n:.1f} % ({correct}/{n})" if n else DASH


def _answer(c: dict, evals: dict, names: dict[str, str]) -> tuple[str, str]:
    """(verdict, sentence) of one paired comparison of evaluation b against evaluation a."""
    diff, (low, high), p = 100 * c["difference"], c["interval"], c["p_value"]
    verdict = ("Yes." if diff > 0 else "No: worse.") if p < SIGNIFICANCE else "No clear effect at this size."
    a, b = (names.get(c[k].removesuffix("-unseen"), c[k]) for k in ("a", "b"))
    share = {k: _share(evals[c[k]]["correct"], evals[c[k]]["questions"]) for k in ("a", "b")}
    return (f"{c['question']} {verdict}",
            f"{b[0].upper() + b[1:]} {share['b']} against {a} {share['a']}: {diff:+.1f} points (95 % CI "
            f"{100 * low:+.1f} to {100 * high:+.1f}), McNemar p = {p:.2g}; of the same {c['n']} questions, "
            f"{c['b_only']} right only for the first, {c['a_only']} only for the second.")


def _accuracy_table(evals: list[dict], modes: list[str]) -> tuple[list[str], list[list[str]]]:
    from r1ci.stats import wilson

    head = ["model"] + [{"ci": "with the interpreter (ci)", "text": "text only"}.get(m, m) for m in modes]
    rows = []
    for model in ("base", "sft", "rl"):
        cells = []
        for mode in modes:
            r = next((r for r in evals if (r["model"], r["mode"]) == (model, mode)), None)
            if r is None:
                cells.append(DASH)
                continue
            low, high = wilson(r["correct"], r["questions"])
            cells.append(f"{_share(r['correct'], r['questions'])} [{100 * low:.0f}-{100 * high:.0f}]")
        if any(c != DASH for c in cells):
            rows.append([{"base": "untrained", "sft": "after SFT", "rl": "after GRPO"}[model]] + cells)
    return head, rows


def _paper_rows_table(evals: list[dict], names: dict[str, str]) -> tuple[list[str], list[list[str]]]:
    """Our evaluations under the paper's table rows they have tasks of (means over tasks), and the paper's row."""
    columns = []
    for r in evals:
        for row in r.get("paper_rows", []):
            if row["row"] not in [c["row"] for c in columns]:
                columns.append(row)
    if not columns:
        return [], []
    head = ["model"] + [f"{c['row']} ({c['tasks']} of {c['of']} tasks)" for c in columns]
    rows = []
    for r in evals:
        mine = {row["row"]: row["accuracy"] for row in r.get("paper_rows", [])}
        rows.append([names.get(f"{r['model']}-{r['mode']}", f"{r['model']}-{r['mode']}")] +
                    [_fmt("accuracy", mine.get(c["row"])) for c in columns])
    rows.append(["R1-CI-14B (paper; all tasks of the row)"] + [_fmt("accuracy", c["paper"]) for c in columns])
    return head, rows


def _pipeline_blocks(results: dict) -> list[tuple]:
    """The report as blocks: ("h1"|"h2"|"p"|"note", text), ("answers", [(verdict, sentence)], id),
    ("table", head, rows, id), ("img", path, alt). Rendered to Markdown and HTML alike."""
    names = _eval_names(results)
    by_name, evals = results["eval"], list(results["eval"].values())
    modes = sorted({r["mode"] for r in evals}, key=lambda m: (m != "ci", m))
    held_out = [r for r in evals if not r.get("unseen")]
    unseen = [r for r in evals if r.get("unseen")]
    comparisons = results.get("comparisons", [])
    n = held_out[0]["questions"] if held_out else 0
    blocks = [("h1", "Did training help?"),
              ("p", f"r1ci pipeline, config {results['config']}: {len(results['tasks'])} train task(s), evaluated on "
                    f"{n} held-out questions (none seen in SFT or RL), "
                    + ("greedy." if not results.get("temperature") else
                       f"sampled at temperature {results['temperature']}.")),
              ("answers", [_answer(c, by_name, names) for c in comparisons if not c["a"].endswith("-unseen")],
               "answers"),
              ("note", "Each answer compares two models on the same questions: the difference in accuracy with a 95 % "
                       "paired-bootstrap interval and an exact McNemar test. \"No clear effect\" means McNemar's p is "
                       f"{SIGNIFICANCE} or more at this size, not that there is no effect.")]
    if results.get("about"):
        blocks.append(("p", results["about"]))
    head, rows = _accuracy_table(held_out, modes)
    blocks += [("h2", "Held-out accuracy"), ("table", head, rows, "held-out"),
               ("note", "Accuracy over questions with its 95 % Wilson interval. "
                        + ("With the text arm, the text column of \"after SFT\" is the model trained on the same "
                           "questions' worked solutions, with as many supervised tokens; GRPO trains and is evaluated "
                           "with the interpreter." if results.get("text_arm") else
                           "Every model is evaluated in every mode; the SFT model learnt with the interpreter."))]
    head, rows = _paper_rows_table(held_out, names)
    if rows:
        blocks += [("h2", "Beside the paper"), ("table", head, rows, "paper-table"),
                   ("note", "Means over tasks, as the paper's table has them. The paper's row is Qwen-2.5-14B "
                            "trained on all 107 train tasks (6.5k trajectories, then GRPO) and evaluated on all of a "
                            "row's tasks: the scale this method reaches, not a like-for-like comparison.")]
    if unseen:
        head, rows = _accuracy_table(unseen, modes)
        blocks += [("h2", "Unseen test tasks"),
                   ("p", "Test tasks never trained on: " + ", ".join(sorted({t for r in unseen for t in r["by_task"]}))
                         + "."),
                   ("table", head, rows, "unseen"),
                   ("answers", [_answer(c, by_name, names) for c in comparisons if c["a"].endswith("-unseen")],
                    "unseen-answers")]
    sft, pot, rl, text_arm = results["sft"], results["potential"], results["rl"], results.get("sft_text")
    steps = [f"SFT: {sft['examples']} examples, {sft['steps']} steps, final loss {sft['train_loss']:.3f}."]
    if text_arm:
        matched = text_arm["matched"]
        steps.append(f"Text arm: {text_arm['steps']} steps on the same questions' worked solutions, "
                     f"{matched['text']['supervised_tokens_trained']} supervised tokens against SFT's "
                     f"{matched['ci']['supervised_tokens_trained']}, final loss {text_arm['train_loss']:.3f}.")
    steps += [f"Improvement potential: {pot['questions']} questions, mean p {pot['mean_p']:.1%}, groups G1-G4 "
              f"{pot['groups']}.",
              f"GRPO: {rl['steps']} steps in {len(rl['plan'])} stage(s), (questions, steps) per stage {rl['plan']}.",
              "Seconds per step: " + ", ".join(f"{k} {v:.0f}" for k, v in results["seconds"].items()) + "."]
    blocks += [("h2", "What each step did"), ("list", steps),
               ("img", "potential/potential.png", "Improvement potential of the RL questions"),
               ("img", "rl/metrics.png", "GRPO: reward and other metrics per step")]
    return blocks


def _blocks_markdown(blocks: list[tuple]) -> str:
    out = []
    for kind, *rest in blocks:
        if kind in ("h1", "h2"):
            out += [("# " if kind == "h1" else "## ") + rest[0], ""]
        elif kind == "p":
            out += [rest[0], ""]
        elif kind == "note":
            out += [f"_{rest[0]}_", ""]
        elif kind in ("answers", "list"):
            items = [f"- **{verdict}** {sentence}" for verdict, sentence in rest[0]] if kind == "answers" else \
                    [f"- {item}" for item in rest[0]]
            out += items + [""] if items else []
        elif kind == "table":
            out += [_md_table(rest[0], rest[1]), ""]
        elif kind == "img":
            out += [f"![{rest[1]}]({rest[0]})", ""]
    return "\n".join(out).rstrip() + "\n"


def _blocks_html(blocks: list[tuple], run_dir: Path) -> str:
    body = []
    for kind, *rest in blocks:
        if kind in ("h1", "h2"):
            body.append(f"<{kind}>{_e(rest[0])}</{kind}>")
        elif kind in ("p", "note"):
            body.append(f'<p class="note">{_e(rest[0])}</p>' if kind == "note" else f"<p>{_e(rest[0])}</p>")
        elif kind == "answers" and rest[0]:
            body.append(f'<ul id="{rest[1]}">' + "".join(f"<li><strong>{_e(v)}</strong> {_e(s)}</li>"
                                                          for v, s in rest[0]) + "</ul>")
        elif kind == "list":
            body.append("<ul>" + "".join(f"<li>{_e(item)}</li>" for item in rest[0]) + "</ul>")
        elif kind == "table":
            body.append(_html_table([_e(h) for h in rest[0]], [[_e(c) for c in row] for row in rest[1]],
                                    f' id="{rest[2]}"'))
        elif kind == "img":
            png = base64.b64encode((run_dir / rest[0]).read_bytes()).decode()
            body.append(f'<figure><img src="data:image/png;base64,{png}" alt="{_e(rest[1])}">'
                        f"<figcaption>{_e(rest[1])}</figcaption></figure>")
    return _page("r1ci pipeline report", body)


# ---------------------------------------------------------------- the learning study's tables


def _interval_cell(row: dict | None) -> str:
    if not row or not row.get("n"):
        return DASH
    low, high = row["interval"]
    return f"{100 * row['accuracy']:.1f} [{100 * low:.1f}-{100 * high:.1f}] ({row['correct']}/{row['n']})"


def learning_report(summary: dict) -> str:
    """learning.md of `r1ci study learning`: its accuracies per source with 95 % Wilson intervals (pooled over
    seeds), as the paper's table has them, then the paired comparisons and the targets, all from `summary`
    (r1ci.study.learning_summary)."""
    accuracy = summary["accuracy"]
    out = ["# Learning study", "",
           "Accuracy in percent with its 95 % Wilson interval and (correct/questions), pooled over seeds; the last "
           "column is the paper's figure, the mean of the tasks' accuracies.", ""]
    for tasks, title in (("train-heldout", "Held-out questions of the trained tasks"),
                         ("test", "The test tasks"), ("test-unseen", "The test tasks, less the near-trained ones")):
        rows = [(key.rsplit(" ", 1)[0], row) for key, row in accuracy.items() if key.endswith(f" {tasks}")]
        if not rows:
            continue
        head = ["model, mode", "BBH", "SymBench", "Reasoning-Gym", "all", "mean over tasks"]
        cells = [[name] + [_interval_cell(row.get("by_source", {}).get(s)) for s in ("bbh", "symbench", "rg")]
                 + [_interval_cell(row), _fmt("accuracy", row.get("mean_over_tasks"))] for name, row in rows]
        out += [f"## {title}", "", _md_table(head, cells), ""]
    comparisons = summary.get("comparisons", {})
    if comparisons:
        head = ["b against a", "questions", "difference, points [95 % CI]", "McNemar p", "right only for b / a"]
        cells = [[name, str(c["n"]), f"{100 * c['difference']:+.1f} [{100 * c['interval'][0]:+.1f}, "
                 f"{100 * c['interval'][1]:+.1f}]", f"{c['p_value']:.2g}", f"{c['b_only']} / {c['a_only']}"]
                 for name, c in comparisons.items()]
        out += ["## Paired comparisons", "", "Each on the questions both models answered (seed and item).", "",
                _md_table(head, cells), ""]
    targets = summary.get("targets", {})
    if targets:
        cells = [[name, f"{100 * row['difference']:+.1f} points, p = {row['p_value']:.2g}",
                  "met" if row["met"] else "missed"] for name, row in targets.items()]
        out += ["## Targets", "", _md_table(["target", "measured", ""], cells), ""]
    return "\n".join(out).rstrip() + "\n"
