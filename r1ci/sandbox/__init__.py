"""Fast, isolated execution of model-written Python.

    from r1ci.sandbox import LocalSandbox, Limits
    with LocalSandbox() as sandbox:
        result = sandbox.run("print(2 ** 10)", Limits(timeout=5))
        result.stdout, result.status

`LocalSandbox` (local.py, zygote.py) is the default; `RemoteSandbox` (remote.py) speaks SandboxFusion's
HTTP API; `serve` (server.py) offers a LocalSandbox under that same API.
"""

from r1ci.sandbox.core import Limits, Result, Sandbox, SandboxError, SandboxUnavailable, Session
from r1ci.sandbox.local import LocalSandbox

__all__ = ["Limits", "Result", "Sandbox", "SandboxError", "SandboxUnavailable", "Session", "LocalSandbox"]
