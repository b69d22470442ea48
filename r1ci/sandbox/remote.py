"""A sandbox on a remote SandboxFusion service (`POST /run_code`), for clusters that run one.

Works with ByteDance's SandboxFusion and with `r1ci sandbox serve` (server.py). SandboxFusion's /run_code
is stateless, so this backend has no sessions. Its answers carry no memory details, and a signal shows only
as a negative return code; r1ci's server adds the full Result under the extra key `r1ci`, which this client
reads when present.
"""

import base64
import time
from concurrent.futures import Future, ThreadPoolExecutor

import httpx

from r1ci.sandbox.core import (Limits, Result, Sandbox, SandboxError, SandboxUnavailable, clip_text,
                              signal_name)


def fusion_request(code: str, limits: Limits, stdin: str | None, files: dict[str, str] | None) -> dict:
    return {"code": code, "language": "python", "compile_timeout": limits.timeout, "run_timeout": limits.timeout,
            "memory_limit_MB": limits.memory_mb, "stdin": stdin or "",
            "files": {name: base64.b64encode(text.encode()).decode() for name, text in (files or {}).items()}}


def fusion_result(data: dict, limits: Limits) -> Result:
    """A SandboxFusion answer as a Result, clipped to our output limit.

    SandboxFusion's run status is `Finished` for any script that ended before its timeout, with a negative
    return code when a signal killed it, `TimeLimitExceeded` (no return code) past it, and `Error` when the
    sandbox itself failed to run it.
    """
    if not isinstance(data, dict) or data.get("status") not in ("Success", "Failed", "SandboxError"):
        raise SandboxError(f"not a SandboxFusion answer: {str(data)[:300]}")
    if data["status"] == "SandboxError":
        raise SandboxError(f"the sandbox service failed: {data.get('message') or 'no message'}")
    if isinstance(data.get("r1ci"), dict):
        result = Result.from_dict(data["r1ci"])
    else:
        run = data.get("run_result") or {}
        if run.get("status") not in ("Finished", "TimeLimitExceeded", "Error"):
            raise SandboxError(f"not a SandboxFusion run result: {str(run)[:300]}")
        if run["status"] == "Error":
            raise SandboxError(f"the sandbox service could not run the script: {run.get('stderr') or 'no message'}")
        code = run.get("return_code")
        signal = signal_name(-code) if isinstance(code, int) and code < 0 else None
        result = Result(stdout=run.get("stdout") or "", stderr=run.get("stderr") or "",
                        exit_code=None if signal else code, signal=signal,
                        timed_out=run["status"] == "TimeLimitExceeded", cpu_exceeded=signal == "SIGXCPU",
                        duration=float(run.get("execution_time") or 0.0))
        result.memory_exceeded = result.stderr.rstrip().endswith("MemoryError")
    result.stdout, cut_out = clip_text(result.stdout, limits.output_bytes)
    result.stderr, cut_err = clip_text(result.stderr, limits.output_bytes)
    result.output_truncated = result.output_truncated or cut_out or cut_err
    return result


def retry_after(response: httpx.Response) -> float:
    """The seconds a busy server asks a client to wait (its Retry-After header), at most 30; 0 if none."""
    try:
        return min(30.0, max(0.0, float(response.headers.get("Retry-After", 0))))
    except ValueError:
        return 0.0


class RemoteSandbox(Sandbox):
    """Scripts sent to `url` (e.g. http://sandbox:8080), `concurrency` at a time, retried on network errors."""

    def __init__(self, url: str, limits: Limits | None = None, *, concurrency: int = 32, retries: int = 3):
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"the sandbox URL must start with http:// or https://, got {url!r}")
        self.url = url.rstrip("/")
        self.limits = limits or Limits()
        self.retries = retries
        self.client = httpx.Client(limits=httpx.Limits(max_connections=concurrency))
        self.pool = ThreadPoolExecutor(concurrency, thread_name_prefix="r1ci-remote-sandbox")

    def submit(self, code, limits=None, *, stdin=None, files=None, session=None) -> "Future[Result]":
        if session is not None:
            raise SandboxError("SandboxFusion's /run_code is stateless; stateful sessions need the local sandbox")
        if not isinstance(code, str):
            raise TypeError(f"code must be a str, got {type(code).__name__}")
        limits = limits or self.limits
        return self.pool.submit(self._run, code, limits, stdin, files)

    def _run(self, code: str, limits: Limits, stdin, files) -> Result:
        payload = fusion_request(code, limits, stdin, files)
        error: Exception | None = None
        busy, wait = False, 0.0
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(max(wait, min(8.0, 0.5 * 2 ** (attempt - 1))))
            try:
                response = self.client.post(f"{self.url}/run_code", json=payload, timeout=limits.timeout + 30)
            except httpx.TransportError as exc:
                error, busy, wait = exc, False, 0.0
                continue
            if response.status_code >= 500:
                # 503: its queue is full; 504: no worker came free in time (the script did not run)
                busy = response.status_code in (503, 504)
                wait = retry_after(response)
                error = SandboxError(f"HTTP {response.status_code}: {response.text[:300]}")
                continue
            if response.status_code != 200:
                raise SandboxError(f"the sandbox service refused the request (HTTP {response.status_code}): "
                                   f"{response.text[:300]}")
            try:
                data = response.json()
            except ValueError as exc:
                raise SandboxError(f"the sandbox service answered with something that is not JSON: "
                                   f"{response.text[:300]!r}") from exc
            return fusion_result(data, limits)
        if busy:
            raise SandboxError(f"the sandbox service at {self.url} stayed busy for {self.retries + 1} tries: {error}")
        raise SandboxUnavailable(f"cannot reach the sandbox service at {self.url} after {self.retries + 1} "
                                 f"tries: {error}")

    def session(self, limits: Limits | None = None):
        raise SandboxError("SandboxFusion's /run_code is stateless; stateful sessions need the local sandbox")

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.client.close()
