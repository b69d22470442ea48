"""Improvement potential and the reward: p, Π, groups, the sample mix, resumption; the reward's three parts."""

import json

import pytest

from conftest import ScriptedBackend
from r1ci.backends import Generation
from r1ci.potential import (PotentialConfig, estimate, group_of, group_sizes, improvement_potential, parse_mix,
                            reachable_groups, read_table, table)
from r1ci.reward import RewardWeights, reward_functions, total_reward, well_formed
from r1ci.tasks import get_task
from r1ci.trajectory import Segment, Trajectory

TASK = "symbench/number_multiply"


def test_potential_and_groups_follow_the_paper():
    assert improvement_potential(0.5) == 1.0 and improvement_potential(0.0) == improvement_potential(1.0) == 0.0
    # p = 0.2 -> 0.64 exactly: G1's lower bound is inclusive
    assert group_of(improvement_potential(0.2)) == 1
    assert [group_of(x) for x in (1.0, 0.64, 0.63, 0.48, 0.47, 0.32, 0.31, 0.0)] == [1, 1, 2, 2, 3, 3, 4, 4]


def test_a_sample_count_that_leaves_a_group_empty_is_warned_of():
    """With N samples p is a multiple of 1/N: 4 or 8 samples can never fill G2 (the old SmolLM2 study's 4 left
    G2 and G3 empty), 11 and 16 fill every group."""
    assert reachable_groups(4) == {1, 4} and reachable_groups(8) == {1, 3, 4} and reachable_groups(12) == {1, 2, 4}
    assert reachable_groups(11) == reachable_groups(16) == {1, 2, 3, 4}
    warning = PotentialConfig(model="m", mix="ci:1.0:4,text:1.0:4").sample_count_warning()
    assert "8 samples" in warning and "G2" in warning and "G3" not in warning and "11 samples" in warning
    assert PotentialConfig(model="m", mix="ci:0.6:8,ci:1.0:8").sample_count_warning() is None
    assert PotentialConfig(model="m").sample_count_warning() is None  # the default mix: 20


def test_mix_parses_and_rejects_bad_entries():
    specs = parse_mix("ci:1.0:10, text:0.6:5")
    assert [(s.mode, s.temperature, s.count) for s in specs] == [("ci", 1.0, 10), ("text", 0.6, 5)]
    for bad in ("ci:1.0", "chat:1.0:3", "ci:hot:3", "ci:1.0:0", "ci:-1:2"):
        with pytest.raises(ValueError, match="mode:temperature:count"):
            parse_mix(bad)


def test_table_counts_samples_per_item():
    items = [{"id": "a", "task": TASK}, {"id": "b", "task": TASK}]
    samples = [{"id": "a", "mode": "ci", "correct": c} for c in (True, False, False, False, True)] + \
              [{"id": "b", "mode": "text", "correct": False}] * 4
    rows = {r["id"]: r for r in table(items, samples)}
    assert rows["a"]["p"] == 0.4 and rows["a"]["potential"] == pytest.approx(0.96) and rows["a"]["group"] == 1
    assert rows["b"]["p"] == 0.0 and rows["b"]["group"] == 4 and rows["b"]["p_by_mode"] == {"text": 0.0}
    assert group_sizes(list(rows.values())) == [1, 0, 0, 1]


class HalfRight(ScriptedBackend):
    """Answers correctly when the sampling seed is even: every item's p is about one half."""

    def __init__(self, path, answers):
        super().__init__(path, [])
        self.answers = answers

    def run_batch(self, requests, deliver=None):
        out = []
        for r in requests:
            self.calls += 1
            prompt = self.decode(r.context)
            answer = next(a for q, a in self.answers.items() if q in prompt)
            ids = self.encode_text(f"<<<{answer if r.sampling.seed % 2 == 0 else 'wrong'}>>>")
            out.append(Generation(text=self.decode(ids), finish="stop", token_ids=ids, logprobs=[-1.0] * len(ids),
                                  conditioned_on=list(r.context)))
        return out


def test_estimate_samples_the_mix_and_resumes(tiny_model_dir, tmp_path):
    items = get_task(TASK).items(3, seed=0)
    backend = HalfRight(tiny_model_dir, {it["question"]: it["answer"] for it in items})
    config = PotentialConfig(model=str(tiny_model_dir), split="train", tasks=[TASK], n_per_task=3, seed=0,
                             mix="ci:1.0:6,text:0.6:4", workers=1)
    assert config.items() == items
    rows = estimate(config, tmp_path, backend=backend)
    assert backend.calls == 30 and [r["n"] for r in rows] == [10, 10, 10]
    for row in rows:  # p is the real share of correct samples, and the samples differ (their seeds do)
        assert 0 < row["p"] < 1 and row["potential"] == pytest.approx(4 * row["p"] * (1 - row["p"]))
    assert (tmp_path / "potential.png").stat().st_size > 1000
    assert read_table(tmp_path) == json.loads(json.dumps(rows))

    lines = (tmp_path / "samples.jsonl").read_text().splitlines()
    (tmp_path / "samples.jsonl").write_text("\n".join(lines[:-5]) + "\n" + lines[-5][:10])  # killed mid-write
    backend.calls = 0
    again = estimate(config, tmp_path, backend=backend)
    assert backend.calls == 5 and again == rows  # only the lost samples ran again, with the same outcome


def test_read_table_rejects_what_is_not_a_table(tmp_path):
    (tmp_path / "potential.jsonl").write_text('{"id": "x"}\n')
    with pytest.raises(ValueError, match="not a potential table"):
        read_table(tmp_path)
    with pytest.raises(ValueError, match="cannot read the potential table"):
        read_table(tmp_path / "missing.jsonl")


def trajectory(*segments, stop="answer", score=1.0):
    return Trajectory(id="x", task=TASK, mode="ci", question="q", segments=[Segment("prompt", "q"), *segments],
                      stop=stop, score=score)


def test_reward_parts_and_weights():
    code_turn, tool = Segment("model", "```python\nprint(1)\n```\n"), Segment("tool", "1", status="ok")
    good = trajectory(code_turn, tool, Segment("model", "<<<1>>>"))
    assert well_formed(good) and total_reward(good) == pytest.approx(1.1)
    cut = trajectory(code_turn, tool, Segment("model", "so the"), stop="max_tokens", score=0.0)
    assert not well_formed(cut) and total_reward(cut) == pytest.approx(-0.1)
    empty = trajectory(Segment("model", "```python\n```\n"), Segment("tool", "", status="empty"),
                       Segment("model", "<<<1>>>"))
    assert not well_formed(empty)
    errored = trajectory(code_turn, Segment("tool", "Traceback", status="error"), Segment("model", "<<<1>>>"))
    assert well_formed(errored)  # a failing script is still a well-formed turn
    long = trajectory(*[code_turn, tool] * 6, Segment("model", "<<<1>>>"))
    assert long.turns() == 7 and total_reward(long) == pytest.approx(1.0)
    weights = RewardWeights(correct=2.0, format=0.5, turns=1.0, free_turns=8)
    assert total_reward(long, weights) == pytest.approx(2.5)
    assert [f.__name__ for f in reward_functions(weights)] == ["correct", "format", "turns"]
