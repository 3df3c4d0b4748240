"""click in French: usage errors and help headings (click ships no French catalogue).

click raises UsageError subclasses while it parses a command line; `french_usage`
rewrites each kind as a French sentence from its parts (option, parameter, type),
never from click's English text, which the user would otherwise see.
"""

from __future__ import annotations

import difflib

import click


class FrenchUsageError(click.UsageError):
    """Exit 2 with `Erreur : …` and where to find the command's help, in French."""

    def show(self, file=None):
        command = self.ctx.command_path if self.ctx else "docsante"
        click.echo(f"Erreur : {self.format_message()}\nAide : {command} --help", err=True)


def french_usage(e: click.UsageError) -> FrenchUsageError:
    """The same error, said in French."""
    if isinstance(e, click.NoSuchOption):
        message = f"option inconnue : {e.option_name}"
        if e.possibilities:
            message += f" (vouliez-vous dire {', '.join(sorted(e.possibilities))} ?)"
    elif isinstance(e, click.MissingParameter):
        kind = "argument manquant" if isinstance(e.param, click.Argument) else "option manquante"
        message = f"{kind} : {_name(e.param)}"
    elif isinstance(e, click.BadOptionUsage):
        message = f"l'option {e.option_name} demande une valeur"
    elif isinstance(e, click.BadParameter):
        message = f"valeur invalide pour {_name(e.param) if e.param else e.param_hint} : {_expected(e.param)}"
    elif e.message.startswith("No such command"):
        typed = e.message.split(" ", 3)[-1].strip(".").strip("'\"")
        message = f"commande inconnue : « {typed} »"
        group = e.ctx.command if e.ctx is not None else None
        if isinstance(group, click.Group) and (close := difflib.get_close_matches(typed, group.list_commands(e.ctx), n=1)):
            message += f" ; vouliez-vous dire « {close[0]} » ?"
    elif e.message.startswith("Got unexpected extra argument"):
        message = f"argument(s) en trop : {e.message.partition('(')[2].rstrip(')')}"
    else:
        message = "ligne de commande invalide"
    error = FrenchUsageError(message, e.ctx)
    error.exit_code = e.exit_code
    return error


def _name(param) -> str:
    if isinstance(param, click.Argument):
        return param.human_readable_name.strip("[].")
    return max(param.opts, key=len) if param is not None else "?"


def _expected(param) -> str:
    kind = param.type if param is not None else None
    if isinstance(kind, click.IntRange):
        low = kind.min if kind.min is not None else "…"
        high = kind.max if kind.max is not None else "…"
        return f"un nombre entier de {low} à {high} est attendu"
    if isinstance(kind, click.types.IntParamType):
        return "un nombre entier est attendu"
    if isinstance(kind, click.Choice):
        return f"choisir parmi {', '.join(map(str, kind.choices))}"
    if isinstance(kind, click.Path):
        return "fichier ou dossier introuvable ou inutilisable"
    return "valeur non reconnue"


def french_metavar(param: click.Parameter) -> str | None:
    """The French placeholder for a parameter's value in help and usage lines, from its type
    (None: click's own, e.g. a choice's list of values)."""
    kind = param.type
    if isinstance(kind, click.Path):
        return "FICHIER" if not kind.dir_okay else "DOSSIER" if not kind.file_okay else "CHEMIN"
    if isinstance(kind, (click.types.IntParamType, click.types.FloatParamType)):
        return "NOMBRE"
    if isinstance(kind, click.types.StringParamType):
        return "TEXTE"
    return None


class FrenchCommand(click.Command):
    """A command whose help reads in French: headings, defaults and value placeholders."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for param in self.params:  # arguments name their own (cli.py)
            if isinstance(param, click.Option) and param.metavar is None and not param.is_flag:
                param.metavar = french_metavar(param)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "Afficher cette aide et quitter."
        return option

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except FrenchUsageError:
            raise
        except click.UsageError as e:
            raise french_usage(e) from e

    def get_help(self, ctx) -> str:
        return super().get_help(ctx).replace("[default:", "[défaut :").replace("[required]", "[obligatoire]")

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix="Utilisation : ")


class FrenchGroup(FrenchCommand, click.Group):
    """A group of French commands."""

    command_class = FrenchCommand

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("subcommand_metavar", "COMMANDE [ARGUMENTS]...")
        super().__init__(*args, **kwargs)

    def parse_args(self, ctx, args):
        if not args:  # the group alone ("docsante", "docsante veille"): its help, as asked
            click.echo(ctx.get_help(), color=ctx.color)
            ctx.exit(0)
        return super().parse_args(ctx, args)

    def format_commands(self, ctx, formatter):
        rows = [(name, cmd.get_short_help_str(formatter.width)) for name in self.list_commands(ctx)
                if (cmd := self.get_command(ctx, name)) is not None and not cmd.hidden]
        if rows:
            with formatter.section("Commandes"):
                formatter.write_dl(rows)
