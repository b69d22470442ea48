"""Every figure r1ci draws, as PNG bytes: the evaluation report's, the potential histogram, GRPO's training curves.

Figures are built on matplotlib's object API and rendered by its Agg canvas: no pyplot, no global backend,
no display. Callers choose the data and where the bytes go; nothing here reads or writes a run folder.
"""

import io
import math


def _figure(**kwargs):
    from matplotlib.figure import Figure  # imported when drawing: it costs about half a second

    return Figure(**kwargs)


def png(fig) -> bytes:
    """Render through matplotlib's Agg canvas directly: no pyplot, no global backend, no display needed."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return buf.getvalue()


def accuracy_by_task(tasks: list[tuple[str, float]]) -> bytes:
    fig = _figure(figsize=(8, 1.0 + 0.28 * len(tasks)))
    ax = fig.add_subplot()
    names, values = [n for n, _ in tasks], [100 * a for _, a in tasks]
    ax.barh(range(len(tasks)), values, color="#4c72b0")
    ax.set_yticks(range(len(tasks)), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 105)
    ax.set_xlabel("accuracy (%)")
    ax.set_title("Accuracy by task")
    for i, v in enumerate(values):
        ax.text(v + 1, i, f"{v:.1f}", va="center", fontsize=7)
    return png(fig)


def code_calls(bars: list[tuple[str, float]]) -> bytes:
    fig = _figure(figsize=(6, 3.5))
    ax = fig.add_subplot()
    ax.bar([k for k, _ in bars], [v for _, v in bars], color="#55a868")
    ax.set_xlabel("code calls in the question's trajectory")
    ax.set_ylabel("questions")
    ax.set_title("Code calls per question")
    return png(fig)


def potential_histogram(potentials: list[float], thresholds: tuple[float, ...], sizes: list[int]) -> bytes:
    """Improvement potential of every question, the group bounds dashed."""
    fig = _figure(figsize=(6, 3.2))
    ax = fig.add_subplot()
    ax.hist(potentials, bins=20, range=(0, 1), color="#4c72b0")
    for bound in thresholds:
        ax.axvline(bound, color="#c44e52", linestyle="--", linewidth=1)
    ax.set_title("Improvement potential 4p(1-p): " + ", ".join(f"G{k} {n}" for k, n in enumerate(sizes, 1)),
                 fontsize=9)
    ax.set_xlabel("potential")
    ax.set_ylabel("questions")
    return png(fig)


RL_PLOTTED = (("reward", "reward"), ("rewards/correct/mean", "accuracy"), ("code_calls", "code calls"),
           ("completions/mean_length", "model tokens"), ("frac_reward_zero_std", "zero-variance groups"))


def training_metrics(rows: list[dict], stage_steps: list[int]) -> bytes | None:
    """GRPO's logged metrics over the steps (r1ci.rl's metrics.jsonl), stage boundaries dashed; None when
    nothing plottable was logged."""
    shown = [(key, label) for key, label in RL_PLOTTED if any(key in r for r in rows)]
    if not shown:
        return None
    fig = _figure(figsize=(3.2 * len(shown), 2.8))
    boundaries = [sum(stage_steps[:k]) for k in range(1, len(stage_steps))]
    for i, (key, label) in enumerate(shown):
        ax = fig.add_subplot(1, len(shown), i + 1)
        points = [(r["step"], r[key]) for r in rows if key in r and r[key] is not None and math.isfinite(r[key])]
        ax.plot([s for s, _ in points], [v for _, v in points], color="#4c72b0", linewidth=1)
        for b in boundaries:
            ax.axvline(b, color="#c44e52", linestyle="--", linewidth=0.8)
        ax.set_title(label, fontsize=9)
        ax.set_xlabel("step", fontsize=8)
    fig.tight_layout()
    return png(fig)
