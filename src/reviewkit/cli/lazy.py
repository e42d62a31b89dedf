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

# each group's one-line help, so that `reviewkit --help` lists the groups without building
# them (importing every cli module and building ~90 commands took half of its time); a test
# checks that each line is the one its Typer app gives
HELP = {
    "search": "Log database and other searches (PRISMA-S) and list them.",
    "screen": "Screen records (title/abstract, full text) as one of the reviewers.",
    "reviewer": "The project's reviewers.",
    "dedup": "Find duplicate records across databases; nothing is ever deleted.",
    "appraisal": "Critical appraisal (CASP and other checklists).",
    "extraction": "Data extraction forms, records and the characteristics table.",
    "prisma": "PRISMA 2020 flow diagram (SVG, PNG, PDF, DOT) and its counts CSV.",
    "synthesis": "Qualitative evidence synthesis: code texts, build themes.",
    "fulltext": "Full texts: attach, detach, mark requested or not retrieved, list, open.",
    "studies": "Included studies (studies.toml): add, link or unlink reports, list, check.",
    "team": "Team mode: the review's events on a PostgreSQL server, blinding enforced by the "
            "database.",
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

    def format_commands(self, ctx: typer.Context, formatter) -> None:  # noqa: ANN001
        # as TyperGroup's, but a group not built yet is listed by its line in HELP
        from typer.core import TyperCommand

        rows = []
        for name in self.list_commands(ctx):
            if name in GROUPS and name not in self.commands and name in HELP:
                cmd = TyperCommand(name, help=HELP[name])
            else:
                cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd))
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _ in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in rows])
