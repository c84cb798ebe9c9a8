"""Start a child process that announces readiness with one stdout line; stop it by its PID.

Everything is bounded: the ready line has a deadline, stopping sends SIGTERM to that one PID,
waits, then SIGKILLs the same PID.  Output after the ready line, and stderr, go to a log file
(never to an unread pipe that could fill up and block the child).
"""
from __future__ import annotations

import os
import selectors
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

# CA-bundle variables this machine sets globally. Children get them removed so that every
# TLS trust decision in a test is explicit (a CA path passed on purpose), never inherited.
CA_ENV_VARS = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR", "AWS_CA_BUNDLE")


class ProcError(RuntimeError):
    pass


@dataclass
class Proc:
    popen: subprocess.Popen
    argv: list[str]
    ready_line: str
    log_path: Path | None
    drain: threading.Thread | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 5.0) -> int | None:
        return stop(self, timeout)

    def log_tail(self, n: int = 40) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CA_ENV_VARS}
    env.update(extra or {})
    return env


def start(argv: list[str], *, ready_timeout: float = 15.0, env: dict[str, str] | None = None,
          cwd: str | os.PathLike | None = None, log_path: str | os.PathLike | None = None) -> Proc:
    """Spawn argv and return once it printed its first stdout line (or raise ProcError)."""
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL
    try:
        popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
                                 env=env if env is not None else clean_env(), cwd=cwd, bufsize=0)
    finally:
        if log_path:
            log.close()  # the child holds its own descriptor
    proc = Proc(popen, list(argv), "", Path(log_path) if log_path else None)
    try:
        proc.ready_line, rest = _read_line(popen, ready_timeout)
    except ProcError as e:
        stop(proc, 2.0)
        popen.stdout.close()
        raise ProcError(f"{e}: {argv}\n{proc.log_tail()}") from None
    proc.drain = threading.Thread(target=_drain, args=(popen, log_path, rest), daemon=True)
    proc.drain.start()
    return proc


def _read_line(popen: subprocess.Popen, timeout: float) -> tuple[str, bytes]:
    deadline = time.monotonic() + timeout
    buf = b""
    with selectors.DefaultSelector() as sel:
        sel.register(popen.stdout, selectors.EVENT_READ)
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ProcError(f"no ready line within {timeout}s")
            if not sel.select(left):
                continue
            chunk = os.read(popen.stdout.fileno(), 4096)
            if not chunk:
                raise ProcError(f"exited (rc={popen.wait(timeout=2)}) before printing a ready line")
            buf += chunk
    line, rest = buf.split(b"\n", 1)
    return line.decode("utf-8", "replace").strip(), rest


def _drain(popen: subprocess.Popen, log_path, rest: bytes) -> None:
    # Keeps the pipe from filling; ends at EOF, i.e. when the child exits.
    # Unbuffered, so whatever was read is in the file even before the thread ends.
    out = open(log_path, "ab", buffering=0) if log_path else None
    try:
        if out and rest:
            out.write(rest)
        for chunk in iter(lambda: os.read(popen.stdout.fileno(), 65536), b""):
            if out:
                out.write(chunk)
    except OSError:
        pass
    finally:
        if out:
            out.close()
        popen.stdout.close()


def stop(proc: Proc | subprocess.Popen | int, timeout: float = 5.0) -> int | None:
    """SIGTERM the PID, wait up to `timeout`, then SIGKILL it. Returns the exit code if known."""
    popen = proc.popen if isinstance(proc, Proc) else proc if isinstance(proc, subprocess.Popen) else None
    if popen is None:
        return _stop_pid(int(proc), timeout)
    if popen.poll() is None:
        popen.send_signal(signal.SIGTERM)
        try:
            popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait(timeout=timeout)
    if isinstance(proc, Proc) and proc.drain is not None:
        proc.drain.join(timeout=10)  # the child is gone, so its pipe hits EOF promptly
    return popen.returncode


def _stop_pid(pid: int, timeout: float) -> int | None:
    """For a PID we did not spawn here (e.g. read from a pid file): signal it and poll for exit."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return None
            time.sleep(0.05)
    raise ProcError(f"pid {pid} survived SIGKILL for {timeout}s")
