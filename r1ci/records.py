"""Run files a kill never leaves torn: whole files written atomically, records appended line by line.

Every stage writes under a run folder and re-running it resumes (DESIGN: writes are atomic or append-only):
a whole file is written beside its destination and renamed over it (`write_atomic`); records (trajectories,
samples) are appended and fsynced one line at a time (`append_record`) and read back with a torn last line
dropped (`load_results`). Not here: trainer checkpoints (r1ci/checkpoints.py) and which questions a run takes
(r1ci/tasks/selection.py).
"""

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


class RunError(ValueError):
    """A run folder or data file that cannot be used as it is; the message says why and what to do."""


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


def load_results(path: Path, key: str = "id") -> dict[str, dict]:
    """Finished records (trajectories, samples) by `key`. A torn last line (a kill mid-write) is dropped so
    that its work runs again."""
    if not path.exists():
        return {}
    lines = path.read_bytes().split(b"\n")
    done, good_bytes = {}, 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            good_bytes += len(line) + 1
            continue
        try:
            record = json.loads(line)
            done[record[key]] = record
        except (ValueError, KeyError, TypeError) as exc:
            if number >= len(lines) - 1:  # the last line: cut it off and redo that item
                with open(path, "r+b") as f:
                    f.truncate(good_bytes)
                break
            raise RunError(f"{path}, line {number}, is not a record ({exc}); fix or delete that line "
                            f"(its work will run again)") from exc
        good_bytes += len(line) + 1
    return done


def append_record(sink, record: dict) -> None:
    """One JSON line, flushed and fsynced: a kill loses at most the line being written."""
    sink.write(json.dumps(record, ensure_ascii=False) + "\n")
    sink.flush()
    os.fsync(sink.fileno())
