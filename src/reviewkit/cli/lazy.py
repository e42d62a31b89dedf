"""The command groups, each built only when it runs (or when the whole --help lists them).

Typer builds every command from its function signature on each start; building the ~90
commands of all groups cost ~30 ms that a command such as `status` never used."""

from __future__ import annotations

from importlib import import_module

import typer.main
from typer.core import TyperGroup

# name -> (module, Typer instance in it), in the order --help lists them
GROUPS = {
    "search": ("reviewkit.cli.search", "app"),
    "screen": ("reviewkit.cli.screening", "app"),
    "reviewer": ("reviewkit.cli.screening", "reviewer_app"),
    "dedup": ("reviewkit.cli.dedup", "app"),
    "appraisal": ("reviewkit.cli.appraisal", "app"),
    "extraction": ("reviewkit.cli.extraction", "app"),
    "prisma": ("reviewkit.cli.prisma", "app"),
    "synthesis": ("reviewkit.cli.synthesis", "app"),
    "fulltext": ("reviewkit.cli.fulltext", "app"),
    "studies": ("reviewkit.cli.studies", "app"),
    "team": ("reviewkit.cli.team", "app"),
}


class LazyGroup(TyperGroup):
    """The top-level group: its own commands as Typer builds them, GROUPS on first use."""

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in GROUPS if n not in self.commands)]

    def get_command(self, ctx: typer.Context, cmd_name: str):  # noqa: ANN201 (click's type)
        if cmd_name in GROUPS and cmd_name not in self.commands:
            module, attr = GROUPS[cmd_name]
            group = typer.main.get_group(getattr(import_module(module), attr))
            group.name = cmd_name
            self.commands[cmd_name] = group
        return super().get_command(ctx, cmd_name)
