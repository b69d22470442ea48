"""r1ci: teach language models to reason with a code interpreter (R1-Code-Interpreter)."""

from r1ci.protocol import extract_answer
from r1ci.tasks import get_task, list_tasks

__version__ = "0.1.0"
__all__ = ["extract_answer", "get_task", "list_tasks"]
