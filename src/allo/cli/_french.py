"""The CLI's help in French, down to the options Typer adds itself (`--help`, completion).

Typer (with its vendored Click) writes its own strings in English and has no translation hook
for them: the help of `--help` and of the completion options, the panel titles, `[default: …]`,
`[required]`, `Usage:`. `install()` swaps those strings for French ones, once, before the first
command is parsed. Strings we do not know are left as they are, so a Typer upgrade that renames
one shows English in the help (the CLI help test catches it) rather than breaking the command.
"""

from __future__ import annotations

from typing import Any

#: Typer's English help strings → what a French operator reads.
HELP = {
    "Show this message and exit.": "Affiche cette aide et quitte.",
    "Install completion for the current shell.": "Installe la complétion pour le shell courant.",
    "Show completion for the current shell, to copy it or customize the installation.": (
        "Affiche le script de complétion du shell courant, à copier ou adapter."
    ),
    "Install completion for the specified shell.": "Installe la complétion pour le shell indiqué.",
    "Show completion for the specified shell, to copy it or customize the installation.": (
        "Affiche le script de complétion du shell indiqué, à copier ou adapter."
    ),
}

#: Module constants of `typer.rich_utils` read when the help is drawn.
RICH_STRINGS = {
    "DEPRECATED_STRING": "(obsolète) ",
    "DEFAULT_STRING": "[par défaut : {}]",
    "ENVVAR_STRING": "[variable d'environnement : {}]",
    "REQUIRED_LONG_STRING": "[obligatoire]",
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commandes",
    "ERRORS_PANEL_TITLE": "Erreur",
    "ABORTED_TEXT": "Interrompu.",
    "RICH_HELP": "Essayez [blue]« {command_path} {help_option} »[/] pour l'aide.",
}

USAGE_PREFIX = "Usage : "

_installed = False


def translate(text: str | None) -> str | None:
    return HELP.get(text, text) if text else text


def install() -> None:
    """Put the French strings in place (idempotent)."""
    global _installed
    if _installed:
        return
    from typer import rich_utils
    from typer._click import core, formatting

    for name, value in RICH_STRINGS.items():
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, value)
    highlighter = rich_utils.OptionHighlighter
    highlighter.highlights = [h.replace("Usage: ", USAGE_PREFIX) for h in highlighter.highlights]

    get_params = core.Command.get_params

    def french_params(self: Any, ctx: Any) -> list[Any]:
        params = get_params(self, ctx)
        for param in params:
            help_text = getattr(param, "help", None)
            if help_text in HELP:
                param.help = HELP[help_text]  # type: ignore[attr-defined]
        return params

    core.Command.get_params = french_params  # type: ignore[method-assign]

    write_usage = formatting.HelpFormatter.write_usage

    def french_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, USAGE_PREFIX if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = french_usage  # type: ignore[method-assign]
    _installed = True
