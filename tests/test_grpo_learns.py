"""GRPO demonstrably learns: the wiring test that a broken sign, mask, logprob or reference cannot pass.

A tiny model is SFT-trained on boolean_expressions trajectories whose script is right (it prints the
expression, copied from the question) but whose final answer copies the printed value only a third of the
time and gives its negation otherwise. So the SFT model runs correct code and then answers correctly about
a third of the time, for a reason GRPO can see: the answer tokens after the interpreter's output. GRPO with
the real rollout engine, sandbox, grader and TRL trainer must raise the mean training reward clearly within
40 steps. Measured (2-core AMD EPYC, seed 0): reward 0.357 over the first 10 steps, 0.559 over the last 10
(correct 0.30 -> 0.47, answered 0.71 -> 0.91); about 9 minutes in all.
"""

import copy
import statistics

import pytest

from r1ci.models import TinyModel, build_tiny
from r1ci.potential import table
from r1ci.rl import RLSettings, read_metrics, train_rl
from r1ci.sandbox import LocalSandbox
from r1ci.sft import SFTSettings, train
from r1ci.synth import synthesize_scripted
from r1ci.tasks import get_task
from r1ci.trajectory import Segment
from r1ci.rollout import RolloutSettings

pytestmark = pytest.mark.slow
TASK = "bbh/boolean_expressions"


def answers_a_third_right(trajectories):
    """The teacher's trajectories with every answer but each third one negated (the code stays right)."""
    out = []
    for k, traj in enumerate(trajectories):
        traj = copy.deepcopy(traj)
        printed = "True" if "True" in [s for s in traj.segments if s.kind == "tool"][-1].text else "False"
        given = printed if k % 3 == 0 else {"True": "False", "False": "True"}[printed]
        traj.segments[-1] = Segment("model", f"So the answer is <<<{given}>>>.")
        out.append(traj)
    return out


def test_grpo_raises_the_training_reward(tmp_path, grader):
    base = build_tiny(tmp_path / "base", TinyModel(copy_steps=400))
    with LocalSandbox(2) as sandbox:
        teacher = synthesize_scripted([TASK], 150, sandbox, grader, seed=0, two_step_share=0.0, self_check_share=0.0)
    train(str(base), answers_a_third_right(teacher[:120]), tmp_path / "sft",
          SFTSettings(max_steps=300, batch_size=8, learning_rate=2e-3, multi_turn_weight=1, save_steps=1000,
                      logging_steps=50, max_length=512))
    items = get_task(TASK).items(250, seed=0)[150:200]  # questions SFT never saw
    rows = table(items, [{"id": it["id"], "mode": "ci", "correct": k < 2} for it in items for k in range(6)])
    train_rl(str(tmp_path / "sft"), rows, tmp_path / "rl",
             RLSettings(stages=1, steps_per_stage=40, num_generations=8, prompts_per_step=4, learning_rate=3e-4,
                        temperature=1.0, rollout=RolloutSettings(max_new_tokens=96), save_steps=1000, workers=2))
    rewards = [row["reward"] for row in read_metrics(tmp_path / "rl" / "metrics.jsonl")]
    first, last = statistics.mean(rewards[:10]), statistics.mean(rewards[-10:])
    print(f"mean training reward: first 10 steps {first:.3f}, last 10 steps {last:.3f}")
    assert len(rewards) == 40 and last >= first + 0.1, (first, last, rewards)
