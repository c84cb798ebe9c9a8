"""Start/stop the project's dev Kafka broker (`siem-devbroker`) and drive its control socket.

Contract: `siem-devbroker --topic T --partitions N --control-socket PATH` prints its bootstrap
address as one stdout line; PATH is a unix stream socket taking one-line commands
(`ping`, `broker-down 1`, `broker-up 1`, `produce-errors 5 NOT_ENOUGH_REPLICAS`, ...) and
answering one line, "ok ..." or "error ...".  The binary is looked up in $SIEM_BIN_DIR
(default `.build/debug`, relative to the repository root).
"""
from __future__ import annotations

import os
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import procs

REPO_ROOT = Path(__file__).resolve().parents[3]
MAX_REPLY = 64 * 1024


class DevBrokerError(RuntimeError):
    pass


def bin_dir() -> Path:
    d = Path(os.environ.get("SIEM_BIN_DIR", ".build/debug"))
    return d if d.is_absolute() else REPO_ROOT / d


@dataclass
class DevBroker:
    proc: procs.Proc
    bootstrap: str
    control_socket: str
    topic: str
    partitions: int

    @property
    def pid(self) -> int:
        return self.proc.pid

    def command(self, line: str, timeout: float = 10.0) -> str:
        """Send one command line; return the text after "ok" or raise DevBrokerError."""
        deadline = time.monotonic() + timeout
        while True:  # the socket may appear a moment after the bootstrap line
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(max(0.1, deadline - time.monotonic()))
                s.connect(self.control_socket)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                s.close()
                if time.monotonic() >= deadline or not self.proc.alive():
                    raise DevBrokerError(f"control socket {self.control_socket} not reachable") from None
                time.sleep(0.05)
        with s:
            s.sendall(line.strip().encode() + b"\n")
            reply = b""
            while b"\n" not in reply and len(reply) < MAX_REPLY:
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
        text = reply.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
        if text == "ok" or text.startswith("ok "):
            return text[3:]
        raise DevBrokerError(f"{line!r} -> {text or '<no reply>'}")

    def ping(self) -> str:
        return self.command("ping")

    def broker_down(self, broker_id: int) -> str:
        return self.command(f"broker-down {broker_id}")

    def broker_up(self, broker_id: int) -> str:
        return self.command(f"broker-up {broker_id}")

    def produce_errors(self, count: int, error: str = "NOT_ENOUGH_REPLICAS") -> str:
        return self.command(f"produce-errors {count} {error}")

    def stop(self, timeout: float = 5.0) -> int | None:
        rc = self.proc.stop(timeout)
        try:
            os.unlink(self.control_socket)
        except FileNotFoundError:
            pass
        return rc


def start_devbroker(work_dir: str | os.PathLike | None = None, topic: str = "ingest-events",
                    partitions: int = 3, extra_args: list[str] | tuple = (),
                    ready_timeout: float = 20.0) -> DevBroker:
    binary = bin_dir() / "siem-devbroker"
    if not binary.exists():
        raise DevBrokerError(f"{binary} not found (build it, or set SIEM_BIN_DIR)")
    # Unix socket paths are limited to ~108 bytes: keep the socket in a short private dir.
    sock_dir = tempfile.mkdtemp(prefix="devbroker-", dir="/tmp")
    sock = os.path.join(sock_dir, "ctl.sock")
    log = Path(work_dir) / "devbroker.log" if work_dir else Path(sock_dir) / "devbroker.log"
    argv = [str(binary), "--topic", topic, "--partitions", str(partitions), "--control-socket", sock,
            *extra_args]
    p = procs.start(argv, ready_timeout=ready_timeout, log_path=log)
    if not p.ready_line:
        procs.stop(p)
        raise DevBrokerError(f"siem-devbroker printed an empty bootstrap line\n{p.log_tail()}")
    return DevBroker(p, p.ready_line, sock, topic, partitions)
