"""The read models' own process under `registry serve` on PostgreSQL: started with the server, started again if it
exits, stopped with the server.

In the server's process the read models' rounds take the interpreter lock from the requests: HTTP registrations ran
at 0.54-0.76 x the bare application with them, 0.79-1.16 x with `registry project` beside the server
(benchmarks/write_path.py, README "Performance"). The child is `registry project --parent PID`: it keeps every
read model current, wakes on the store's notifications, and stops by itself if the server dies without stopping it.
It runs in a session of its own, so that a Ctrl-C at the terminal reaches the server alone, which then stops the
child. (A service manager that signals every process of the service at once, as systemd's default KillMode does,
would make the child exit while the server drains its requests, and be started again for those seconds: the unit in
docs/deploy sets KillMode=mixed.) It is run with `-P`, so that the server's working directory cannot put other
modules before the registry's.
The embedded store's files are for one process, so there the read models stay in the server (api/cli/serve.py).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time

import click

FIRST_RESTART_SECONDS = 1.0
MAX_RESTART_SECONDS = 30.0
STEADY_SECONDS = 60.0  # a child that ran this long before it exited is restarted after the first delay again
STOP_SECONDS = 10.0  # how long a stopping child may take before it is killed
COMMAND = (sys.executable, "-P", "-m", "api.cli", "project", "--parent")


class ProjectionChild:
    """One `registry project` process, restarted with backoff whenever it exits while the server runs."""

    def __init__(self, command: tuple[str, ...] = COMMAND) -> None:
        self.command = (*command, str(os.getpid()))
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # between the supervisor starting a child and stop() ending it
        self._supervisor = threading.Thread(target=self._supervise, name="projection-child", daemon=True)

    def start(self) -> None:
        """Start the child, and the thread that starts it again whenever it exits."""
        self._spawn()
        self._supervisor.start()

    @property
    def running(self) -> bool:
        """The child is alive (False between its exit and its next start: /ready says so)."""
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """Stop the child (SIGTERM; SIGKILL after STOP_SECONDS) and start no other."""
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _spawn(self) -> None:
        with self._lock:
            if not self._stopping.is_set():
                self.process = subprocess.Popen(self.command, start_new_session=True, stdin=subprocess.DEVNULL)

    def _supervise(self) -> None:
        delay = FIRST_RESTART_SECONDS
        while self.process is not None:
            started = time.monotonic()
            code = self.process.wait()
            if self._stopping.is_set():
                return
            if time.monotonic() - started >= STEADY_SECONDS:
                delay = FIRST_RESTART_SECONDS
            _say(f"registry: the read models' process exited ({code}); next start in {delay:g} s")
            while not self._stopping.wait(delay):
                delay = min(delay * 2, MAX_RESTART_SECONDS)
                try:
                    self._spawn()
                    break
                except OSError as error:  # no memory, no process slots: try again later (the last child is reaped)
                    _say(f"registry: the read models' process could not start ({error}); next try in {delay:g} s")
            else:
                return


def _say(line: str) -> None:
    """A line on stderr; one that cannot be written (stderr closed) must not end the supervisor."""
    with contextlib.suppress(OSError):
        click.echo(line, err=True)
