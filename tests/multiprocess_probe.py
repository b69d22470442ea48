"""Run `r1ci sft` or `r1ci rl` in one process of a launched group, recording what the test must compare
across processes (tests/test_multiprocess.py): each process writes `out/rank<K>.jsonl`, one line per training
run, with a hash of its weights at the end, the step it started from, its own losses and its own rollouts'
rewards. The commands run unchanged; only TRL's trainer classes are wrapped to observe them.

    accelerate launch --multi_gpu --num_processes 2 tests/multiprocess_probe.py sft|rl ARGS...   (the command's flags)
"""

import hashlib
import json
import os
import sys
from pathlib import Path


def observed(cls, out: Path):
    class Observed(cls):
        def train(self, *args, **kwargs):
            self.probe = {"rank": int(os.environ.get("RANK", 0)), "losses": []}
            result = super().train(*args, **kwargs)
            weights = hashlib.sha256()
            for name, tensor in sorted(self.model.state_dict().items()):
                weights.update(name.encode() + tensor.detach().float().cpu().numpy().tobytes())
            self.probe.update(weights=weights.hexdigest(), steps=self.state.global_step)
            with open(out / f"rank{self.probe['rank']}.jsonl", "a") as f:
                f.write(json.dumps(self.probe) + "\n")
            return result

        def training_step(self, *args, **kwargs):
            self.probe.setdefault("started", self.state.global_step)  # after a resume: the checkpoint's step
            loss = super().training_step(*args, **kwargs)
            self.probe["losses"].append(float(loss))
            return loss

    return Observed


def main() -> None:
    command, args = sys.argv[1], sys.argv[2:]
    out = Path(args[args.index("--out") + 1])
    out.mkdir(parents=True, exist_ok=True)
    import trl

    import r1ci.rl

    trl.SFTTrainer = observed(trl.SFTTrainer, out)
    trl.GRPOTrainer = observed(trl.GRPOTrainer, out)
    rollout_output = r1ci.rl.completions

    def completions(trajectories, eos_id):  # this process's own rollouts, before TRL gathers anything
        result = rollout_output(trajectories, eos_id)
        local = Path(out / f"rollouts{os.environ.get('RANK', 0)}.jsonl")
        with local.open("a") as f:
            f.write(json.dumps({"correct": result["correct"], "code_calls": result["code_calls"]}) + "\n")
        return result

    r1ci.rl.completions = completions
    from r1ci.cli import app

    app([command, *args], standalone_mode=True)


if __name__ == "__main__":
    main()
