"""The kill tests' side of kill_worker.py: start it, spawn writers, kill and reap them."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from random import Random

WORKER = Path(__file__).with_name("kill_worker.py")
WAIT = 30.0  # seconds a step may take before the loop gives up on it


class Rig:
    """The fork server, and the lines it and its children print."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, str(WORKER)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1)
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        assert self._next() == "ready"

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def _next(self, timeout: float = WAIT) -> str:
        line = self.lines.get(timeout=timeout)
        if line is None:
            raise RuntimeError("the kill worker died")
        return line

    def _send(self, **req: object) -> None:
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()

    def cli(self, root: Path, *args: str) -> tuple[int, str]:
        """A command in a fresh process (forked from the pre-imported server)."""
        self._send(op="cli", root=str(root), args=list(args))
        _, rc, err = self._next(timeout=120).split(" ", 2)
        return int(rc), json.loads(err)

    def kill_run(self, writer: str, root: Path, arg: dict, rng: Random,
                 saves: tuple[int, int], delay: float) -> tuple[list[str], int, str]:
        """Start a writer, wait for a random number of saves and a random delay, SIGKILL it.

        Returns (ids reported saved, exit status, its stderr).
        """
        self._send(op="spawn", writer=writer, root=str(root), arg=arg)
        head, pid_text = self._next().split(" ", 1)
        assert head == "pid", head
        pid = int(pid_text)
        saved: list[str] = []
        want, deadline = rng.randint(*saves), time.monotonic() + WAIT
        while len(saved) < want and time.monotonic() < deadline:
            try:
                line = self._next(timeout=0.05)
            except queue.Empty:
                if _exited(pid):  # it crashed or ran out of work: no more saves coming
                    break
                continue
            saved.append(self._saved(line, pid))
        time.sleep(rng.uniform(0, delay))
        os.kill(pid, signal.SIGKILL)  # a zombie (it finished) takes this harmlessly
        self._send(op="reap", pid=pid)
        while True:
            line = self._next()
            if line.startswith("reaped "):
                _, _, status, err = line.split(" ", 3)
                return saved, int(status), json.loads(err)
            saved.append(self._saved(line, pid))

    @staticmethod
    def _saved(line: str, pid: int) -> str:
        word, who, what = line.split(" ", 2)
        assert word == "saved" and int(who) == pid, line
        return what

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _exited(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")
