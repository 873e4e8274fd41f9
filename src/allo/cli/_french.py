"""The CLI in French, down to what Typer says itself: help, type labels and usage errors.

Typer (with its vendored Click) writes its own strings in English. Where it marks them for
gettext (`typer.core`: « No such command », « Missing command », section titles…) `install()`
gives it a French catalogue, the library's own mechanism. The rest has no hook but the
exceptions' `format_message` and the parameters' `display_type`: the help of `--help` and of the
completion options, the panel titles, `[default: …]`, `[required]`, `Usage:`, « Missing
option », « Invalid value for » (with Pydantic's reason, read from the validation error's type),
« No such option », and the `<int>`-style labels. `install()` puts the French in place, once,
before the first command is parsed. Strings we do not know are left as they are, so a Typer
upgrade that renames one shows English (the CLI tests catch it) rather than breaking a command.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable
from typing import Any

from allo.french import agreed, validation_reason

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

#: Typer's gettext-marked strings (`typer.core`) → French.
CATALOGUE = {
    "No such command {name!r}.": "Commande inconnue : {name!r}.",
    "Missing command.": "Commande manquante.",
    "Aborted!": "Interrompu.",
    "(dynamic)": "(calculé)",
    "default: {default}": "par défaut : {default}",
    "required": "obligatoire",
    "env var: {var}": "variable d'environnement : {var}",
    "Arguments": "Arguments",
    "Options": "Options",
    "Commands": "Commandes",
}


class FrenchCatalogue(gettext.NullTranslations):
    """A gettext catalogue held in memory (no .mo file to compile and ship)."""

    def gettext(self, message: str) -> str:
        return CATALOGUE.get(message, message)


#: Type labels of the help (`<int>`, `<int range>`…) → French.
TYPE_LABELS = {
    "str": "texte",
    "int": "entier",
    "float": "nombre",
    "bool": "booléen",
    "path": "chemin",
    "file": "fichier",
    "directory": "dossier",
    "datetime": "date-heure",
    "date": "date",
    "range": "borné",
    "list": "liste",
}
_LABEL_WORD = re.compile(r"[a-z]+")

_KINDS = {"option": "Option manquante", "argument": "Argument manquant"}

#: Usage errors Click and Typer format themselves (whole message) → French.
ERRORS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"^Missing (option|argument|parameter)(.*?)\.(?: (.*))?$", re.S),
        lambda m: (
            f"{_KINDS.get(m[1], 'Paramètre manquant')}{' :' + m[2] if m[2] else ''}."
            + (f" {m[3]}" if m[3] else "")
        ),
    ),
    (re.compile(r"^Missing parameter: (.*)$"), lambda m: f"Paramètre manquant : {m[1]}"),
    (
        re.compile(r"^Invalid value for (.+?): (.*)$", re.S),
        lambda m: f"Valeur invalide pour {m[1]} : {m[2]}",
    ),
    (re.compile(r"^Invalid value: (.*)$", re.S), lambda m: f"Valeur invalide : {m[1]}"),
    (
        re.compile(r"^No such option: (.+?)(?: \(Possible options: (.+)\))?$"),
        lambda m: f"Option inconnue : {m[1]}" + (f" (options possibles : {m[2]})" if m[2] else ""),
    ),
    (
        re.compile(r"^(.*)\. Did you mean (.+)\?$", re.S),
        lambda m: f"{m[1]}. Vouliez-vous dire {m[2]} ?",
    ),
    (
        # Typer writes « argument(s) »; click « argument » or « arguments »
        re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((.*)\)$"),
        lambda m: f"{agreed(len(m[1].split()), 'Argument', 'Arguments')} en trop : {m[1]}",
    ),
    (
        re.compile(r"^Option (.+) requires an argument\.$"),
        lambda m: f"L'option {m[1]} attend une valeur.",
    ),
    (
        re.compile(r"^Option (.+) requires (\d+) arguments\.$"),
        lambda m: f"L'option {m[1]} attend {m[2]} valeurs.",
    ),
    (
        re.compile(r"^Option (.+) does not take a value\.$"),
        lambda m: f"L'option {m[1]} ne prend pas de valeur.",
    ),
    (
        re.compile(r"^(.+) is not one of (.+)\.$", re.S),
        lambda m: f"{m[1]} ne fait pas partie des choix {m[2]}.",
    ),
    (re.compile(r"^(\w+) (.+) does not exist\.$"), lambda m: f"{m[2]} n'existe pas."),
    (re.compile(r"^(\w+) (.+) is a directory\.$"), lambda m: f"{m[2]} est un dossier."),
    (re.compile(r"^(\w+) (.+) is a file\.$"), lambda m: f"{m[2]} est un fichier."),
    (re.compile(r"^(\w+) (.+) is not readable\.$"), lambda m: f"{m[2]} n'est pas lisible."),
    (re.compile(r"^(\w+) (.+) is not writable\.$"), lambda m: f"{m[2]} n'est pas modifiable."),
]


def french_error(text: str) -> str:
    """The French of one of Click's or Typer's usage errors (unknown ones unchanged)."""
    for pattern, render in ERRORS:
        if match := pattern.match(text):
            return render(match)
    return text


def _pydantic_reason(exc: BaseException) -> str | None:
    errors = getattr(exc.__cause__, "errors", None)
    if not callable(errors):
        return None
    try:
        return validation_reason(errors()[0])
    except (IndexError, TypeError):
        return None


def french_label(label: str) -> str:
    """`<int range>` → `<entier borné>`; unknown words are kept."""
    return _LABEL_WORD.sub(lambda m: TYPE_LABELS.get(m[0], m[0]), label)


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
    _install_errors()
    _installed = True


def _install_errors() -> None:
    import typer.core
    from typer._click import exceptions

    typer.core._ = FrenchCatalogue().gettext

    display_type = typer.core._TyperParameter.display_type

    def french_display_type(self: Any, ctx: Any) -> str:
        return french_label(display_type(self, ctx))

    typer.core._TyperParameter.display_type = french_display_type  # type: ignore[method-assign]

    for cls in (
        exceptions.ClickException,
        exceptions.BadParameter,
        exceptions.MissingParameter,
        exceptions.NoSuchOption,
    ):
        original = cls.__dict__.get("format_message") or cls.format_message

        def french_format(self: Any, _original: Any = original) -> str:
            reason = _pydantic_reason(self) if isinstance(self, exceptions.BadParameter) else None
            if reason is not None:
                self.message = reason
            return french_error(_original(self))

        cls.format_message = french_format  # type: ignore[method-assign]
