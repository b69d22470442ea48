"""Evaluation and potential through a running vLLM server (marked `vllm`: skipped where vLLM is not installed).

The server is vLLM's own OpenAI-compatible one, started as a user would on a CPU (the command docs/scaling.md gives),
on the tiny model. r1ci reaches it two ways: `vllm-server:URL`, token ids in and out (the trajectory holds
exactly what the server was given and sampled), and `openai:URL/v1:MODEL`, chat text in and out.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from r1ci.backends import load_backend
from r1ci.evaluate import EvalConfig, evaluate
from r1ci.potential import PotentialConfig, estimate
from r1ci.rollout import RolloutSettings

pytestmark = pytest.mark.vllm

TASK = "rg/basic_arithmetic"
BUDGET = RolloutSettings(max_new_tokens=32, turn_tokens=16, max_code_calls=1)


@pytest.fixture(scope="module")
def server(vllm_tiny_model_dir, tmp_path_factory):
    from r1ci.backends.vllm import cpu_engine_args, cpu_environment, on_cpu

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "vllm.entrypoints.openai.api_server", "--model", str(vllm_tiny_model_dir),
               "--host", "127.0.0.1", "--port", str(port), "--max-model-len", "2048"]
    env = dict(os.environ)
    if on_cpu():
        command += ["--enforce-eager", "--dtype", cpu_engine_args()["dtype"]]
        env = {**cpu_environment(), **env}
    log = (tmp_path_factory.mktemp("server") / "server.log").open("w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 600
    while True:
        try:
            urllib.request.urlopen(f"{url}/health", timeout=5)
            break
        except OSError:
            assert process.poll() is None, f"the vLLM server exited: see {log.name}"
            assert time.time() < deadline, f"the vLLM server did not start in 10 minutes: see {log.name}"
            time.sleep(2)
    yield url
    os.killpg(process.pid, 15)
    process.wait(timeout=60)


def test_evaluation_through_the_server_keeps_token_in_token_out(server, tmp_path):
    summary = evaluate(EvalConfig(model=f"vllm-server:{server}", split="train", tasks=[TASK], n_per_task=4,
                                  temperature=1.0, rollout=BUDGET), tmp_path, show_progress=False)
    assert summary["overall"]["n"] == 4
    records = [json.loads(line) for line in (tmp_path / "results.jsonl").read_text().splitlines()]
    for record in records:  # the engine raises TokenMismatch if the server's ids drift from the segments
        model = [s for s in record["segments"] if s["kind"] == "model"]
        assert model and all(len(s["token_ids"]) == len(s["logprobs"]) > 0 for s in model)


def test_a_requests_tokens_follow_its_seed_through_the_server(server):
    import asyncio

    from r1ci.backends import Sampling

    backend = load_backend(f"vllm-server:{server}")
    prompt = backend.encode_prompt([{"role": "user", "content": "seeded"}])

    async def sample(seed):
        return await backend.generate(prompt, 12, (), Sampling(1.0, 1.0, seed))

    first, again, other = (asyncio.run(sample(seed)) for seed in (7, 7, 8))
    assert first.token_ids == again.token_ids and first.conditioned_on == prompt
    assert other.token_ids != first.token_ids


def test_potential_through_the_server(server, tmp_path):
    rows = estimate(PotentialConfig(model=f"vllm-server:{server}", tasks=[TASK], n_per_task=2, mix="ci:1.0:3",
                                    rollout=BUDGET), tmp_path)
    assert len(rows) == 2 and all(row["n"] == 3 for row in rows)
    assert len((tmp_path / "samples.jsonl").read_text().splitlines()) == 6


def test_the_same_server_answers_chat_requests(server, vllm_tiny_model_dir, tmp_path):
    summary = evaluate(EvalConfig(model=f"openai:{server}/v1:{vllm_tiny_model_dir}", split="train", tasks=[TASK],
                                  n_per_task=2, mode="text", temperature=0.0, rollout=BUDGET), tmp_path,
                       show_progress=False)
    assert summary["overall"]["n"] == 2
