"""Command line: parse the arguments, call the library, render. Errors become one French line."""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

import click

from .cli_french import FrenchCommand, FrenchGroup, FrenchUsageError, french_usage
from .corpus.web import WebOptions, is_url
from .errors import DocsanteError
from .facets import FACETS, NAMES
from .indexer.write import BATCH_PASSAGES, LOCK_WAIT, IndexReport, build_index, remove_documents
from .location import ENV_VAR, default_index_dir, ensure_default_index, sample_corpus
from .render import text
from .render.data import to_json, to_jsonl
from .render.files import to_csv, to_ris, to_xlsx
from .search.dates import SORTS
from .search.engine import MAX_LIMIT, MAX_OFFSET, Index, open_index
from .search.watches import RUN_LIMIT

EXIT_PARTIAL = 3


class UserError(click.ClickException):
    """Exit 1 with one French line on stderr."""

    def show(self, file=None):
        click.echo(f"Erreur : {self.format_message()}", err=True)


class Cli(FrenchGroup):
    """Library errors become `Erreur : …` with exit 1, usage errors a French line with exit 2;
    nothing ever shows a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except FrenchUsageError:
            raise
        except click.UsageError as e:
            raise french_usage(e) from e
        except DocsanteError as e:
            raise UserError(str(e)) from e
        except KeyboardInterrupt:  # Ctrl-C: what was committed stays, as after any interruption
            click.echo("Interrompu.", err=True)
            ctx.exit(130)
        except BrokenPipeError:  # `docsante search … | head`: the reader has what it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
            ctx.exit(141)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except Exception as e:  # last resort: one line, never a trace
            raise UserError(f"erreur inattendue ({type(e).__name__}) : {e}") from e


PRUNED_SHOWN = 20  # documents named when a run drops those whose file is gone

index_option = click.option(
    "--index", "index_dir", type=click.Path(file_okay=False, path_type=Path),
    help=f"Dossier de l'index (défaut : ${ENV_VAR}, sinon le dossier de données de l'utilisateur).")


OUTPUTS = {"text": "texte lisible", "json": "JSON", "jsonl": "JSON Lines, une ligne par élément",
           "csv": "tableur, séparateur « ; »", "xlsx": "classeur Excel", "ris": "Zotero, EndNote"}
FILES = {"csv": lambda value: to_csv(value).encode("utf-8"), "ris": lambda value: to_ris(value).encode("utf-8"),
         "xlsx": to_xlsx}  # formats written as bytes: the same files as the web's exports, on every system


def output_option(*extra: str):
    """--format, the same for every command: `text` (read in a terminal, the default; `table` is
    the same), `json`, and the formats a command adds (`extra`)."""
    formats = ("text", "json", *extra)
    return click.option("--format", "fmt", type=click.Choice([*formats, "table"]), default="text", show_default=True,
                        help="Format de sortie : " + " ; ".join(f"{f} ({OUTPUTS[f]})" for f in formats) + ".")


def emit(value, fmt: str, as_text) -> None:
    """Print a result in the format asked for; `as_text` renders it for the terminal (render/text.py)."""
    if fmt == "json":
        click.echo(to_json(value))
    elif fmt == "jsonl":
        if output := to_jsonl(value):
            click.echo(output)
    elif fmt in FILES:
        if fmt == "xlsx" and sys.stdout.isatty():
            raise UserError("un classeur xlsx ne s'affiche pas dans un terminal : redirigez la sortie "
                            "vers un fichier (… --format xlsx > resultats.xlsx).")
        stream = click.get_binary_stream("stdout")
        stream.write(FILES[fmt](value))
        stream.flush()
    else:
        click.echo(as_text(value))


def _open(index_dir: Path | None) -> Index:
    """The given index; by default, the user's, built from the sample corpus on first use and
    rebuilt when another version of docsante wrote it."""
    if index_dir is None:
        index_dir = default_index_dir()
        if not _env_set():
            ensure_default_index(index_dir)
    return open_index(index_dir)


def _env_set() -> bool:
    return bool(os.environ.get(ENV_VAR, "").strip())


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="docsante", message="docsante %(version)s", help="Afficher la version et quitter.")
def cli():
    """Recherche de passages dans les documents de santé publique (ARS, IREPS, CPTS…).

    Premier essai, sans rien préparer :  docsante search "contrat local de santé"
    """
    for stream in (sys.stdout, sys.stderr):  # what a terminal cannot show is replaced, never an error
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="CHEMIN_OU_URL...")
@index_option
@click.option("--rebuild", is_flag=True, help="Reconstruire l'index à neuf, à côté de l'ancien, qui reste consultable jusqu'à la fin et n'est remplacé que si quelque chose a été lu.")
@click.option("--quiet", "-q", is_flag=True, help="Ni barre de progression ni résumé.")
@click.option("--batch-size", default=BATCH_PASSAGES, show_default=True, type=click.IntRange(1),
              help="Passages écrits entre deux validations (ce qui est validé survit à une interruption).")
@click.option("--depth", default=0, show_default=True, type=click.IntRange(0, 20),
              help="Pour une URL : niveaux de liens suivis sur le même site (les documents liés sont lus à tout niveau).")
@click.option("--max-pages", default=1000, show_default=True, type=click.IntRange(1),
              help="Pour une URL : requêtes au plus dans cette indexation.")
@click.option("--delay", default=1.0, show_default=True, type=click.FloatRange(0, 60),
              help="Pour une URL : secondes entre deux requêtes au même site (Retry-After respecté).")
def index(paths, index_dir, rebuild, quiet, batch_size, depth, max_pages, delay):
    """Indexer des fichiers, dossiers ou sites (.txt .md .html .pdf .docx .doc .rtf .odt .pptx .ppt .odp .jsonl).

    Une URL (http ou https) est lue comme un chemin : sa page, les pages du même site jusqu'à --depth
    liens, les documents qu'elles lient (PDF, DOCX…) ; un plan de site (sitemap) ou un flux RSS ou
    Atom donne sa liste de pages. robots.txt est respecté ; chaque réponse lue est archivée (WARC)
    à côté de l'index.

    Les pages scannées des PDF sont lues par reconnaissance de caractères si Tesseract et son modèle
    français sont installés (paquet tesseract-ocr-fra) ; les .doc, .rtf et .ppt, convertis par
    LibreOffice s'il est installé (paquets libreoffice-writer-nogui et libreoffice-impress-nogui).

    Les documents inchangés sont sautés, les documents modifiés remplacés.
    Code de sortie : 0 si tout est indexé, 3 si des fichiers ont été ignorés,
    1 si rien n'a pu l'être. Les documents d'un dossier réindexé dont le
    fichier a disparu sont retirés.
    """
    default = index_dir is None and not _env_set()  # the user's own index, which may still hold the sample
    index_dir = index_dir or default_index_dir()
    bar = None
    if not quiet and sys.stderr.isatty():
        from tqdm import tqdm
        bar = tqdm(unit=" doc", file=sys.stderr, dynamic_ncols=True)

    def progress(report: IndexReport, where: str):
        bar.update(1)
        elapsed = bar.format_dict["elapsed"] or 1e-9
        bar.set_postfix_str(f"{report.passages} passages, {report.passages / elapsed:.0f} passages/s", refresh=False)

    def arrays(done: int, total: int):
        bar.set_description_str(f"tableaux de recherche {done}/{total}")

    try:
        paths = [p if is_url(p) else Path(p) for p in paths]
        report = build_index(paths, index_dir, rebuild=rebuild, batch_size=batch_size,
                             web=WebOptions(depth=depth, max_pages=max_pages, delay=delay),
                             on_progress=progress if bar is not None else None,
                             on_arrays=arrays if bar is not None else None,
                             on_wait=lambda: click.echo(f"Une autre indexation écrit dans {index_dir} : "
                                                        f"attente de sa fin ({LOCK_WAIT / 60:.0f} min au plus)…", err=True))
    finally:
        if bar is not None:
            bar.close()
    for failure in report.failures:
        click.echo(f"ignoré : {failure}", err=True)
    if report.pruned:
        click.echo(f"{report.pruned} document(s) retiré(s) de l'index : leur fichier n'existe plus ou ne les "
                   "contient plus.", err=True)
        for doc_id in report.pruned_ids[:PRUNED_SHOWN]:
            click.echo(f"  retiré : {doc_id}", err=True)
        if report.pruned > PRUNED_SHOWN:
            click.echo(f"  … et {report.pruned - PRUNED_SHOWN} autre(s)", err=True)
    if default and (report.documents or report.unchanged):
        _retire_sample(index_dir, paths)
    if not quiet:
        rate = report.passages / report.seconds if report.seconds else 0
        click.echo(f"{report.documents} document(s) indexé(s), {report.passages} passage(s), "
                   f"{report.unchanged} inchangé(s), {report.failed} en échec — "
                   f"{text.french_number(report.seconds)} s ({rate:.0f} passages/s) → {index_dir}")
    if report.failed and not (report.documents or report.unchanged):
        sys.exit(1)
    if report.failed:
        sys.exit(EXIT_PARTIAL)


def _retire_sample(index_dir: Path, paths) -> None:
    """The first time users index their own documents into the default index, the bundled
    sample leaves it (they can bring it back)."""
    sample = sample_corpus().resolve()
    if any(Path(p).resolve() == sample or sample in Path(p).resolve().parents for p in paths):
        return
    if remove_documents(index_dir, [sample]):
        click.echo(f"Le corpus d'exemple a quitté l'index, qui ne contient plus que vos documents. "
                   f"Pour le remettre : docsante index {sample}", err=True)


@cli.command()
@index_option
@output_option("csv")
def documents(index_dir, fmt):
    """Lister les documents de l'index (titre, date, émetteur, type, territoire, pages, passages, indexé le,
    modifié le).

    --format csv écrit la table metadonnees.csv (fichier;titre;date;emetteur;region;departement;type;url) :
    corrigée dans un tableur et enregistrée dans le dossier indexé, elle corrige ces documents au
    prochain « docsante index »."""
    emit(_open(index_dir).documents(), fmt, text.documents)


@cli.command()
@click.argument("targets", nargs=-1, required=True, metavar="CIBLE...")
@index_option
def remove(targets, index_dir):
    """Retirer des documents de l'index : identifiant, fichier (un .jsonl retire ses
    enregistrements) ou dossier (tout ce qu'il contient)."""
    index_dir = index_dir or default_index_dir()
    removed = remove_documents(index_dir, targets)
    click.echo(f"{removed} document(s) retiré(s) de {index_dir}.")
    if not removed:
        sys.exit(1)


def scope_options(f):
    """The options that choose passages, as Index.search's keyword arguments of the same names:
    the facet filters, and the dates."""
    for name, help_ in (("new-since", "Documents indexés (nouveaux ou modifiés) depuis ce jour ou cette heure "
                                      "(AAAA-MM-JJ[THH:MM])."),
                        ("until", "Documents datés de ce jour au plus (AAAA, AAAA-MM ou AAAA-MM-JJ)."),
                        ("since", "Documents datés de ce jour au moins (AAAA, AAAA-MM ou AAAA-MM-JJ).")):
        f = click.option(f"--{name}", metavar="DATE", help=help_)(f)
    return facet_options(f)


def facet_options(f):
    """One repeatable option per facet (facets.py), named after it; a saved search keeps them."""
    for facet in reversed(FACETS):
        f = click.option(f"--{facet.name}", facet.name, multiple=True, metavar="VALEUR",
                         help=facet.help + " Répétable : OU entre valeurs.")(f)
    return f


def _scope(options: dict) -> dict:
    """Index.search's keyword arguments from the scope options (absent ones left out)."""
    return {name: value for name, value in options.items() if value not in (None, ())}


class QueryCommand(FrenchCommand):
    """A command whose arguments are a query: a word such as "-formation" is the query
    language's exclusion, not an unknown option. Options and their values are kept as
    they are; every other word goes after "--", in its order."""

    def parse_args(self, ctx, args):
        takes_value, flags = set(), set()
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                (flags if param.is_flag or param.count else takes_value).update(param.opts + param.secondary_opts)
        options, words, rest = [], [], iter(args)
        for arg in rest:
            if arg == "--":
                words += list(rest)
            elif arg in takes_value:
                value = next(rest, None)
                if value is None:  # click says that the option needs a value
                    return super().parse_args(ctx, args)
                options += [arg, value]
            elif arg.split("=", 1)[0] in takes_value:
                options.append(arg)
            elif arg in flags or arg.startswith("--"):
                options.append(arg)
            else:
                words.append(arg)
        return super().parse_args(ctx, options + ["--"] + words)


@cli.command(cls=QueryCommand)
@click.argument("query", nargs=-1, required=True, metavar="REQUÊTE")
@index_option
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(0, MAX_LIMIT), help="Nombre de passages.")
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0, MAX_OFFSET),
              help="Passages à sauter (pagination).")
@output_option("jsonl", "csv", "xlsx", "ris")
@scope_options
@click.option("--sort", type=click.Choice(list(SORTS)), default="pertinence", show_default=True,
              help="Ordre : pertinence, date (du document, plus récent d'abord) ou ajout (dernier indexé d'abord).")
@click.option("--by-document", is_flag=True,
              help="Classer des documents : chacun avec ses meilleurs passages et son nombre de passages trouvés "
                   "(--limit et --offset comptent alors des documents).")
@click.option("--show-duplicates", is_flag=True,
              help="Montrer chaque copie d'un même texte comme un résultat (par défaut, une copie est listée "
                   "sous le premier résultat qui a ce texte).")
@click.option("--explain", is_flag=True, help="Afficher la requête telle qu'elle a été comprise.")
def search(query, index_dir, limit, offset, fmt, explain, by_document, show_duplicates, **scope):
    """Chercher des passages.

    \b
    Syntaxe : mots (OU classé), ET, OU, SAUF (ou -mot), "phrase exacte",
    "mots proches"~3, tronc* , titre:… section:… region:… dispositif:… theme:… annee:…
    Exemple : docsante search "contrat local de santé" --region PACA --since 2022
    """
    typed = " ".join(query)
    results = _open(index_dir).search(typed, **_scope(scope), limit=limit, offset=offset, by_document=by_document,
                                      show_duplicates=show_duplicates)
    if explain:
        click.echo(f"Requête comprise : {results.parsed}", err=True)
        for note in results.expansions:
            click.echo(f"  élargie : {note}", err=True)
    style = (lambda s: click.style(s, bold=True, underline=True)) if sys.stdout.isatty() else text.bracketed
    unfiltered = _unfiltered_command(results, index_dir) if results.unfiltered_total else ""
    emit(results, fmt, lambda r: text.results(r, style=style, scores=explain, unfiltered=unfiltered))


def _unfiltered_command(results, index_dir: Path | None) -> str:
    """The command that runs the same search without its filters (the options, and those typed in the query)."""
    return f'docsante search "{results.query_without_filters}"' + (f' --index "{index_dir}"' if index_dir else "")


@cli.group(cls=FrenchGroup)
def veille():
    """Recherches enregistrées : ce qui est nouveau depuis la dernière fois.

    \b
    docsante veille add cls-occitanie "contrat local de santé" --region Occitanie
    docsante veille run              (les passages des documents ajoutés ou modifiés depuis)
    """


@veille.command("add", cls=QueryCommand)
@click.argument("name", metavar="NOM")
@click.argument("query", nargs=-1, required=True, metavar="REQUÊTE")
@index_option
@facet_options
def veille_add(name, query, index_dir, **filters):
    """Enregistrer une recherche sous un nom."""
    watch = _open(index_dir).watches().add(name, " ".join(query), **_scope(filters))
    click.echo(f"Veille « {watch.name} » enregistrée : {watch.describe()}.")


@veille.command("list")
@index_option
@output_option()
def veille_list(index_dir, fmt):
    """Lister les recherches enregistrées."""
    emit(_open(index_dir).watches().list(), fmt, text.watches)


@veille.command("remove")
@click.argument("name", metavar="NOM")
@index_option
def veille_remove(name, index_dir):
    """Retirer une recherche enregistrée."""
    _open(index_dir).watches().remove(name)
    click.echo(f"Veille « {name} » retirée.")


@veille.command("run")
@click.argument("names", nargs=-1, metavar="[NOM]...")
@index_option
@click.option("--limit", "-n", default=RUN_LIMIT, show_default=True, type=click.IntRange(0, MAX_LIMIT),
              help="Passages au plus par veille.")
@output_option()
def veille_run(names, index_dir, limit, fmt):
    """Exécuter les veilles (toutes, ou celles nommées) : les passages des documents ajoutés
    ou modifiés depuis leur dernière exécution, les plus récents d'abord."""
    emit(_open(index_dir).watches().run(names, limit=limit), fmt, text.watch_runs)


@cli.command()
@click.argument("passage_id", metavar="PASSAGE")
@index_option
@click.option("--document", "whole", is_flag=True,
              help="Afficher tout le document : ses métadonnées, son plan et tous ses passages.")
@output_option()
def show(passage_id, index_dir, whole, fmt):
    """Afficher un passage, ses voisins et son document (un identifiant de passage, ou de document :
    son premier passage ; la fin d'un identifiant suffit : rapport.docx#p3)."""
    ix = _open(index_dir)
    if whole:
        emit(ix.document(ix.passage(passage_id, context=0).document.doc_id), fmt, text.document)
    else:
        emit(ix.passage(passage_id), fmt, text.passage)


@cli.command()
@index_option
@output_option()
def stats(index_dir, fmt):
    """Compter documents, passages et valeurs de facettes."""
    emit(_open(index_dir).stats(), fmt, text.stats)


@cli.command(cls=QueryCommand)
@click.argument("query", nargs=-1, metavar="[REQUÊTE]")
@index_option
@click.option("--facet", "facets", multiple=True, type=click.Choice(NAMES), help="Facette(s) à lister (défaut : toutes).")
@output_option()
@scope_options
def facets(query, index_dir, facets, fmt, **scope):
    """Lister les valeurs de facettes et leurs nombres de passages (pour une requête ou tout l'index)."""
    emit(_open(index_dir).facets(" ".join(query), **_scope(scope), facet=facets or None), fmt, text.facets)


@cli.command()
@click.argument("queries", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="REQUÊTES")
@index_option
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 1000), help="Documents par requête.")
def run(queries, index_dir, limit):
    """Produire un « run » TREC (qid Q0 doc_id rang score docsante) depuis un fichier TSV qid<TAB>requête."""
    table = {}
    with queries.open(encoding="utf-8", newline="") as f:
        for row in csv.reader(f, delimiter="\t"):
            if len(row) >= 2 and row[0] and row[0] != "qid":
                table[row[0]] = row[1]
    ix, failed = _open(index_dir), 0
    for qid, typed in table.items():  # one query that fails loses its own lines only
        try:
            rows = ix.run({qid: typed}, limit=limit)
        except DocsanteError as e:
            click.echo(f"Erreur (requête {qid}) : {e}", err=True)
            failed += 1
            continue
        for _, doc_id, rank, score in rows:
            click.echo(f"{qid} Q0 {doc_id} {rank} {score:.4f} docsante")
    if failed:
        sys.exit(EXIT_PARTIAL)


@cli.command()
@index_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse d'écoute (127.0.0.1 : cette machine seulement).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processus de service (un par cœur pour servir plus de requêtes à la fois).")
def serve(index_dir, host, port, workers):
    """Ouvrir la page de recherche et l'API HTTP (lecture seule), ex. http://127.0.0.1:8000/"""
    import uvicorn

    from .web.app import SERVE_INDEX

    path = _open(index_dir).path
    os.environ[SERVE_INDEX] = str(path.resolve())
    click.echo(f"docsante : http://{host}:{port}/  (API : /api/search, documentation : /api/docs)", err=True)
    uvicorn.run("docsante.web.app:create_app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="warning")
