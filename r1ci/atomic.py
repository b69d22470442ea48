"""Files that are never seen half-written: written beside their destination, then renamed over it.

A killed run leaves either the old file or the new one, never a torn one (DESIGN: writes are atomic or
append-only).
"""

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path: Path):
    """A temporary path to write; on success it replaces `path`, on failure it is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the file from other readers
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: str | bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data.encode() if isinstance(data, str) else data)


def last_complete_checkpoint(output_dir: Path) -> str | None:
    """The newest transformers checkpoint a killed run can resume from, or None.

    transformers writes `trainer_state.json` last, so a checkpoint without a readable one was cut short by a
    kill; it is deleted (it holds nothing the previous checkpoint lacks) rather than handed to `train`, which
    would fail on it.
    """
    import json
    import shutil

    def step(path: Path) -> int:
        suffix = path.name.removeprefix("checkpoint-")
        return int(suffix) if suffix.isdigit() else -1

    for checkpoint in sorted(Path(output_dir).glob("checkpoint-*"), key=step, reverse=True):
        if step(checkpoint) < 0:
            continue
        try:
            json.loads((checkpoint / "trainer_state.json").read_text())
            return str(checkpoint)
        except (OSError, ValueError):
            shutil.rmtree(checkpoint)
    return None
