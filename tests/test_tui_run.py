"""A terminal app that ends on an error does not exit 0."""

from __future__ import annotations

import pytest
from textual.app import App

from reviewkit.tui.run import run_app


class Broken(App[None]):
    def on_mount(self) -> None:
        raise RuntimeError("a bug")


class Fine(App[str]):
    def on_mount(self) -> None:
        self.exit("done")


def test_a_crashed_app_exits_non_zero_and_a_fine_one_returns_its_result(capsys):
    with pytest.raises(SystemExit) as ended:
        run_app(Broken(), headless=True)
    assert ended.value.code == 1
    assert run_app(Fine(), headless=True) == "done"
