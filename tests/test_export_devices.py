"""An export to a device or a pipe (/dev/stdout, /dev/null, a FIFO) is written in place: it
used to go to a temp file renamed over the target, which put a plain file where the device
was (as root, /dev/full became an RIS file) and hid a full disk behind "wrote N records"."""

from __future__ import annotations

import os
import stat
import threading

from helpers import run_cli, snapshot
from test_screening_support import screening_project


def _project(tmp_path):
    project, store = screening_project(tmp_path / "p")
    store.close()
    return project


def test_an_export_into_a_fifo_streams_and_leaves_the_fifo(tmp_path):
    project = _project(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    done = run_cli("export", "-o", str(fifo), cwd=project.root)
    reader.join(timeout=30)  # a FIFO replaced by a file: nobody writes
    assert done.returncode == 0, done.stderr
    assert got and got[0].startswith(b"TY  - ") and got[0].count(b"\nER  -") == 50
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_full_device_is_an_error_and_stays_a_device(tmp_path):
    project = _project(tmp_path)
    full, null = tmp_path / "full", tmp_path / "null"
    full.symlink_to("/dev/full")
    null.symlink_to("/dev/null")
    before = snapshot(project.root)
    done = run_cli("export", "-o", str(full), cwd=project.root)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "cannot write: No space left on device" in done.stderr
    assert os.readlink(full) == "/dev/full" and stat.S_ISCHR(os.stat(full).st_mode)
    assert run_cli("export", "-o", str(null), cwd=project.root).returncode == 0
    assert os.readlink(null) == "/dev/null"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp left
    assert snapshot(project.root) == before


def test_a_diagram_to_a_device_leaves_the_device(tmp_path):
    project = _project(tmp_path)
    link = tmp_path / "diagram.svg"
    link.symlink_to("/dev/null")
    done = run_cli("prisma", "-o", str(link), cwd=project.root)
    assert done.returncode == 0, done.stderr
    assert os.readlink(link) == "/dev/null"


def test_simulate_order_to_a_full_device_or_a_missing_folder_is_one_line(tmp_path):
    data = tmp_path / "labelled.csv"
    rows = ["record_id,title,abstract,label_included"] + [
        f"{i},title {i} {'apple' if i % 10 == 0 else 'pear'},abstract {i},{int(i % 10 == 0)}"
        for i in range(60)]
    data.write_text("\n".join(rows) + "\n", "utf-8")
    full = tmp_path / "full.csv"
    full.symlink_to("/dev/full")
    for out, says in ((full, "cannot write: No space left on device"),
                      (tmp_path / "typo" / "order.csv", "no such file or folder")):
        done = run_cli("simulate", str(data), "--out", str(out), cwd=tmp_path)
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
        assert says in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "typo").exists() and os.readlink(full) == "/dev/full"
