"""The OpenAI-compatible backend against a real server on loopback: `transformers serve` with the tiny model."""

import asyncio
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from r1ci.backends import BackendError, Sampling, load_backend
from r1ci.backends.openai import OpenAIBackend
from r1ci.evaluate import EvalConfig, evaluate
from r1ci.rollout import RolloutConfig, RolloutSettings, rollout
from r1ci.tasks import get_task

TRANSFORMERS = str(Path(sys.executable).with_name("transformers"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tiny_model_dir):
    port = free_port()
    proc = subprocess.Popen([TRANSFORMERS, "serve", str(tiny_model_dir), "--host", "127.0.0.1", "--port", str(port),
                             "--device", "cpu"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"transformers serve exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.3)
    yield f"{url}/v1", str(tiny_model_dir)
    proc.terminate()
    proc.wait(timeout=20)


def test_multi_turn_rollouts_over_chat(server, sandbox, grader):
    url, model = server
    backend = load_backend(f"openai:{url}:{model}")
    task = get_task("rg/gcd")
    item = task.items(1, seed=0)[0]
    traj = asyncio.run(rollout(item, task, backend, sandbox, grader, RolloutConfig(budget=RolloutSettings(max_new_tokens=40))))
    model_segments = [s for s in traj.segments if s.kind == "model"]
    assert model_segments and all(s.token_ids is None and s.logprobs is None for s in model_segments)
    assert traj.stop in ("eos", "max_tokens", "answer") and traj.metrics["model_tokens"] >= 1
    assert traj.segments[0].token_ids is None  # text-level: nothing was tokenised on our side


def test_eval_runs_on_an_openai_compatible_server(server, tmp_path):
    url, model = server
    summary = evaluate(EvalConfig(model=f"openai:{url}:{model}", tasks=["rg/gcd"], n_per_task=2,
                                  rollout=RolloutSettings(max_new_tokens=24), workers=1), tmp_path, show_progress=False)
    assert summary["n_items"] == 2 and (tmp_path / "report.html").exists()


def test_unreachable_server_is_a_clear_error():
    backend = OpenAIBackend(f"http://127.0.0.1:{free_port()}/v1", "m", retries=0)
    with pytest.raises(BackendError, match="cannot reach the OpenAI-compatible server"):
        asyncio.run(backend.generate([{"role": "user", "content": "hi"}], 5, (), Sampling()))
    with pytest.raises(BackendError, match="openai:URL:MODEL"):
        load_backend("openai:nomodel")
