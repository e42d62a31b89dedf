"""A throw-away PostgreSQL cluster for the team-mode tests: initdb in a temporary folder,
run as a non-root user, listening on a free loopback port. No mocks: the real server.

Used by the `pg_server` fixture in conftest.py and by bench/team_load.py. Skips (in tests)
when no PostgreSQL server binaries are installed; `.ci/run` installs them."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"
PASSWORD = "throwaway-superuser"


def bindir() -> Path | None:
    """The server binaries (initdb, pg_ctl), newest version first, or None."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                      key=lambda p: int(Path(p).parts[-3]), reverse=True)
    return Path(versions[0]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(cmd: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; CI runs as root, a developer usually not
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@dataclass
class Cluster:
    bindir: Path
    folder: Path
    port: int

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, user: str = SUPERUSER, password: str = PASSWORD, dbname: str = "postgres"
            ) -> str:
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{dbname}"

    def _ctl(self, *args: str) -> None:
        subprocess.run(_as_server_user([str(self.bindir / "pg_ctl"), "-D", str(self.data),
                                        *args]), check=True, capture_output=True)

    def start(self) -> None:
        opts = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                "-c fsync=on -c max_connections=100")
        self._ctl("-o", opts, "-l", str(self.folder / "server.log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-m", mode, "-w", "stop")

    def createdb(self, name: str) -> str:
        """A fresh database; its superuser URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return self.url(dbname=name)

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster() -> Cluster:
    """initdb + start; the caller destroys it. Raises RuntimeError without PostgreSQL."""
    bins = bindir()
    if bins is None:
        raise RuntimeError("PostgreSQL server binaries not found (Debian: apt-get install "
                           "postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="reviewkit-pg-", dir="/tmp"))
    pwfile = folder / "pw"
    pwfile.write_text(PASSWORD + "\n")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(pwfile, "postgres")
    subprocess.run(_as_server_user([str(bins / "initdb"), "-D", str(folder / "data"),
                                    "-U", SUPERUSER, f"--pwfile={pwfile}", "-A", "scram-sha-256",
                                    "--auth-local=trust", "-E", "UTF8", "--no-sync"]),
                   check=True, capture_output=True)
    pwfile.unlink()
    cluster = Cluster(bins, folder, _free_port())
    cluster.start()
    return cluster
