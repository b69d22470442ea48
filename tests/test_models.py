"""bf16 is chosen only where it is fast: GPUs with bf16, CPUs with AMX or AVX-512 BF16; elsewhere float32."""

import pytest
import torch

from r1ci.backends.hf import HFBackend
from r1ci.models import bf16_is_fast
from r1ci.models import load_for_training


@pytest.mark.parametrize("amx, avx512_bf16, fast", [(False, False, False), (True, False, True), (False, True, True)])
def test_bf16_follows_the_cpus_matrix_units(monkeypatch, tiny_model_dir, amx, avx512_bf16, fast):
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: amx)
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: avx512_bf16)
    assert bf16_is_fast("cpu") is fast
    _, _, bf16, gpu = load_for_training(str(tiny_model_dir), None)
    assert not gpu and bf16 is fast
    assert load_for_training(str(tiny_model_dir), not fast)[2] is (not fast)  # an explicit choice wins
    backend = HFBackend(str(tiny_model_dir), device="cpu")
    assert backend.model.dtype == (torch.bfloat16 if fast else torch.float32)


def test_no_bf16_on_a_gpu_without_it(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: False)
    assert not bf16_is_fast("cuda")
