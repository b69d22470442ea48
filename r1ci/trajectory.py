"""A trajectory: what the model saw and wrote for one question, segment by segment, with token ids.

Segments are `prompt`, `model` or `tool`. Model segments keep the token ids exactly as sampled, with their
sampling logprobs. A rollout tokenises only the prompt (`prompt_ids`: the chat template) and interpreter output
(`text_ids`); SFT tokenises text-only trajectories the same way. `text_ids` reads text as plain text, so what
a script prints can never become a special token such as the end of turn. The loss mask is 1 on model tokens
only, so training (SFT and GRPO) never learns to write the interpreter's output.
"""

import json
from dataclasses import asdict, dataclass, field, fields

KINDS = ("prompt", "model", "tool")


def prompt_ids(tokenizer, messages: list[dict]) -> list[int]:
    """How every token-level trajectory starts, in rollouts and in SFT: the chat template's prompt."""
    return list(tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True,
                                              return_dict=False))


def text_ids(tokenizer, text: str) -> list[int]:
    """A segment's text as plain-text tokens (interpreter output in rollouts; every segment after the prompt in
    SFT). A special token's spelling in it, such as "<|im_end|>" printed by a script, stays those characters
    and never becomes the special token, so it cannot end a turn or open one; other text gets the ids that
    `tokenizer(text)` gives. Sampled model tokens are never re-tokenised."""
    return tokenizer(text, add_special_tokens=False, split_special_tokens=True)["input_ids"]


@dataclass
class Segment:
    kind: str
    text: str
    token_ids: list[int] | None = None   # None for text-only backends (OpenAI-compatible chat)
    logprobs: list[float] | None = None  # model segments: the sampling logprob of each token
    code: str | None = None              # tool segments: the script that ran
    status: str | None = None            # tool segments: the sandbox's one-word status

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"segment kind must be one of {KINDS}, got {self.kind!r}")
        if self.token_ids is not None and self.logprobs is not None and len(self.logprobs) != len(self.token_ids):
            raise ValueError(f"{len(self.logprobs)} logprobs for {len(self.token_ids)} tokens")


@dataclass
class Trajectory:
    id: str
    task: str
    mode: str
    question: str
    reference: str | None = None
    system: str | None = None    # the system prompt the model was given (the prompt segment holds both)
    segments: list[Segment] = field(default_factory=list)
    answer: str | None = None
    score: float = 0.0
    stop: str | None = None      # answer, eos, code, max_tokens, max_turns, max_code_calls, error
    metrics: dict = field(default_factory=dict)

    @property
    def correct(self) -> bool:
        return self.score >= 1.0

    def turns(self) -> int:
        return sum(s.kind == "model" for s in self.segments)

    def model_turns(self) -> list[str]:
        """The text of each model segment, in order (the final answer is read turn by turn)."""
        return [s.text for s in self.segments if s.kind == "model"]

    def token_ids(self) -> list[int]:
        ids = []
        for s in self.segments:
            if s.token_ids is None:
                raise ValueError(f"segment {s.kind!r} has no token ids (a text-only backend made it)")
            ids += s.token_ids
        return ids

    def loss_mask(self) -> list[int]:
        """1 on tokens the model wrote, 0 on prompt and interpreter tokens; aligned with `token_ids()`."""
        return [int(s.kind == "model") for s in self.segments for _ in s.token_ids or ()]

    def to_dict(self) -> dict:
        return {**asdict(self), "correct": self.correct}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict) -> "Trajectory":
        known = {f.name for f in fields(cls)}
        traj = cls(**{k: v for k, v in data.items() if k in known and k != "segments"})
        traj.segments = [Segment(**s) for s in data.get("segments", [])]
        return traj

    @classmethod
    def from_json(cls, line: str) -> "Trajectory":
        return cls.from_dict(json.loads(line))
