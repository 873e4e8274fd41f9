"""`allo search "QUESTION"`, `allo search --jsonl`, `allo search reindex`, `allo eval search FILE`."""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from typer.core import TyperGroup

from allo.cli._common import console, fail, out, progress_bar, runtime, session
from allo.french import (
    agreed,
    decimal_fr,
    moment_fr,
    number_fr,
    percent_fr,
    plural,
)
from allo.kb.records import AUDIENCE_LABELS

DEFAULT_COMMAND = "query"


class _QueryByDefault(TyperGroup):
    """`allo search "carte grise"` runs `allo search query "carte grise"`; subcommands still work."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # Typer's own click Context
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = [DEFAULT_COMMAND, *args]
        return super().parse_args(ctx, args)


def _service(*, lexical: bool = False, query_cache: int = 1024) -> Any:
    """A search service for this command: never embeds fiches itself (that is `reindex`)."""
    from allo.search.service import build_search_service

    rt = runtime()
    service = build_search_service(rt, embed_missing=False, query_cache_size=query_cache)
    if lexical:
        service.embedder = None
    missing = service.missing_vectors()
    if service.semantic and missing:
        console.print(
            f"[yellow]{plural(missing, 'fiche')} sans vecteur sémantique : "
            f"{agreed(missing, 'classée', 'classées')} comme par le moteur lexical. "
            "Lancez « allo search reindex » pour les calculer.[/]"
        )
    return service


def compute_vectors() -> Any:
    """Compute the fiches' missing sentence vectors with a progress bar; None without a model.

    Embeds outside any transaction and commits each batch (an interrupted run keeps its work).
    Called by `allo kb import`, `allo search reindex` and any other import once its fiches are
    committed.
    """
    from allo.search.embedder import make_embedder
    from allo.search.services import compute_missing_vectors_in_batches
    from allo.search.vectorstore import file_layers

    rt = runtime()
    # a batch of texts uses every core (the web workers' one-thread rule is for queries)
    embedder = make_embedder(rt.settings, threads=os.cpu_count() or 1)
    if embedder is None:
        return None
    layers = file_layers(rt.settings.home / "search" / "embeddings", embedder.name)
    with progress_bar() as bar:
        task = bar.add_task("Vecteurs sémantiques", total=None)
        report = compute_missing_vectors_in_batches(
            rt.sessions,
            embedder,
            lambda done, total: bar.update(task, completed=done, total=total),
            layers=layers,
        )
    console.print(report.summary())
    return report


def compute_passages() -> Any:
    """Take the answer passages of new and changed fiches from their bodies (every core, one
    commit per batch), so no worker reads a body to show one. Called by `allo kb import`,
    `allo data sync` and `allo search reindex` once the fiches are committed."""
    from allo.search.services import compute_passages_in_batches

    rt = runtime()
    with progress_bar() as bar:
        task = bar.add_task("Passages de réponse", total=None)
        report = compute_passages_in_batches(
            rt.sessions,
            workers=os.cpu_count() or 1,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if report.extracted or report.removed:
        console.print(report.summary())
    return report


def _review_json(review: Any) -> dict[str, Any]:
    """An `ArticleReview` with the keys of `GET /api/kb/articles`."""
    article = review.article
    fiches = [asdict(f) for f in review.fiches]
    return {
        "article": article.label,
        "code": article.code_name,
        "url": article.url,
        "fiches": fiches,
    }


def _hit_json(hit: Any) -> dict[str, Any]:
    return {
        "id": hit.id,
        "title": hit.title,
        "score": hit.score,
        "audiences": list(hit.audiences),
        "url": hit.url,
    }


def _read_query(line: str) -> str:
    """A plain-text line, or a JSON object with a `question` (or `query`) field."""
    text = line.strip()
    if text.startswith("{"):
        try:
            record = json.loads(text)
        except ValueError as exc:
            raise ValueError("ligne JSON invalide") from exc
        value = record.get("question", record.get("query")) if isinstance(record, dict) else None
        if not isinstance(value, str):
            raise ValueError("champ « question » absent ou non textuel")
        return value
    return text


def _find_group(app: typer.Typer, name: str, help_text: str) -> typer.Typer:
    """The `allo <name>` group, shared with other domains that add commands to it."""
    for info in app.registered_groups:
        if info.name == name and info.typer_instance is not None:
            return info.typer_instance
    group = typer.Typer(help=help_text, no_args_is_help=True)
    app.add_typer(group, name=name)
    return group


def register(app: typer.Typer) -> None:
    search = typer.Typer(
        cls=_QueryByDefault,
        help='Recherche dans la base de connaissances : allo search "QUESTION".',
        no_args_is_help=True,
    )
    app.add_typer(search, name="search")

    @search.command(DEFAULT_COMMAND)
    def query(
        text: str = typer.Argument("", help="La question, en langage courant."),
        limit: int = typer.Option(10, "--limit", "-n", min=1, max=100, help="Nombre de résultats."),
        audience: str | None = typer.Option(
            None, "--audience", help="particuliers, professionnels ou associations."
        ),
        source: str | None = typer.Option(None, "--source", help="dila, travail ou local."),
        as_json: bool = typer.Option(False, "--json", help="Résultat en JSON."),
        jsonl: bool = typer.Option(
            False,
            "--jsonl",
            help="Lot : une question par ligne sur l'entrée standard (texte, ou JSON avec "
            "« question »), une ligne JSON de résultats par question en sortie.",
        ),
        lexical: bool = typer.Option(False, "--lexical", help="Moteur lexical seul."),
        idcc: str | None = typer.Option(
            None,
            "--idcc",
            help="IDCC de la convention collective de l'appelant (allo search conventions) : "
            "les fiches qui y renvoient d'abord.",
        ),
    ) -> None:
        """Recherche (commande par défaut) : les fiches qui répondent à la question."""
        from allo.errors import AlloError

        if not jsonl and not text.strip():
            fail("Saisissez au moins un mot à rechercher.", 2)
        service = _service(lexical=lexical)
        try:
            service.chosen_agreement(idcc)
        except AlloError as exc:
            fail(exc.message, 2)
        if jsonl:
            errors = 0
            for number, line in enumerate(sys.stdin, start=1):
                if not line.strip():
                    continue
                try:
                    question = _read_query(line)
                    hits = service.search(question, limit, audience, source, idcc=idcc)
                    record: dict[str, Any] = {
                        "query": question,
                        "results": [_hit_json(h) for h in hits],
                    }
                except (ValueError, AlloError) as exc:
                    errors += 1
                    message = exc.message if isinstance(exc, AlloError) else str(exc)
                    record = {"query": None, "line": number, "error": message, "results": []}
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            sys.stdout.flush()
            if errors:
                ignored = plural(errors, "ligne ignorée", "lignes ignorées")
                console.print(f"[yellow]{ignored} (voir « error »).[/]")
            return
        hits = service.search(text, limit, audience, source, idcc=idcc)
        # « prime syntec »: searched without « syntec »; « L1224-1 »: the fiches citing it first
        notices = service.notices(text, idcc)
        named = list(notices.agreement.agreements) if notices.agreement else []
        articles = notices.articles
        if as_json:
            payload = {
                "query": text,
                "results": [_hit_json(h) for h in hits],
                "agreements": [{"idcc": a.idcc, "title": a.title, "url": a.url} for a in named],
                "legal_articles": [
                    {"article": a.label, "code": a.code_name, "url": a.url, "fiches": a.fiches}
                    for a in articles
                ],
            }
            out.print_json(json.dumps(payload, ensure_ascii=False))
            return
        for a in named:
            console.print(f"Convention collective : {a.title} (IDCC {a.idcc}) — {a.url}")
        for c in articles:
            where = f" ({c.code_name})" if c.code_name else ""
            link = f" — {c.url}" if c.url else ""
            console.print(f"Article {c.label}{where} : cité par {plural(c.fiches, 'fiche')}{link}")
        if not hits:
            console.print("Aucune fiche ne correspond à cette recherche.")
            return
        table = Table(title=f"« {text[:80]} »", show_lines=False)
        table.add_column("#", justify="right")
        table.add_column("fiche")
        table.add_column("titre")
        table.add_column("publics")
        table.add_column("score", justify="right")
        for rank, hit in enumerate(hits, start=1):
            audiences = ", ".join(AUDIENCE_LABELS.get(a, a) for a in hit.audiences)
            table.add_row(str(rank), hit.id, hit.title, audiences, decimal_fr(hit.score, 3))
        out.print(table)

    @search.command("conventions")
    def agreements() -> None:
        """Les conventions collectives qu'une recherche peut recevoir (--idcc), par titre."""
        from allo.search.agreements import default_catalog

        table = Table(title="Conventions collectives", show_lines=False)
        table.add_column("IDCC", justify="right")
        table.add_column("convention")
        for agreement in default_catalog().choices():
            table.add_row(agreement.idcc, agreement.short_title)
        out.print(table)

    @search.command("articles")
    def cited(
        text: str = typer.Argument(
            ..., help="L'article : « L1224-1 », « article 1240 du code civil »."
        ),
        as_json: bool = typer.Option(False, "--json", help="Résultat en JSON."),
    ) -> None:
        """Veille juridique : les fiches qui citent un article de code dans leurs références, dans
        l'ordre où les revoir — celles du service (brouillons compris), puis les officielles dont
        il dépend, puis les autres —, avec la référence qui couvre l'article (comme la page
        /redaction/articles)."""
        from allo.backlog.articles import reviews
        from allo.errors import AlloError

        try:
            with session() as s:
                found = reviews(runtime(), s, text)
        except AlloError as exc:
            fail(exc.message, 2)
        if as_json:
            out.print_json(json.dumps([_review_json(r) for r in found], ensure_ascii=False))
            return
        for r in found:
            where = f" ({r.article.code_name})" if r.article.code_name else ""
            table = Table(
                title=f"Article {r.article.label}{where} : {plural(len(r.fiches), 'fiche')}, "
                f"dont {r.local} du service et {r.relied} {agreed(r.relied, 'officielle')} "
                "dont le service dépend"
            )
            for column in ("fiche", "titre", "source", "état", "référence", "le service en dépend"):
                table.add_column(column)
            for f in r.fiches:
                why = " ; ".join(x.label for x in f.reasons)
                table.add_row(f.id, f.title, f.source, f.state_label, f.reference, why)
            out.print(table)

    @search.command("reindex")
    def reindex() -> None:
        """Reconstruit l'index depuis la base ; calcule les passages de réponse et les vecteurs
        manquants (en base)."""
        from allo.search.service import build_search_service

        compute_passages()
        if compute_vectors() is None:
            console.print("Re-classement sémantique désactivé (ALLO_EMBEDDER=none).")
        start = time.perf_counter()
        service = build_search_service(runtime(), embed_missing=False)
        built = time.perf_counter() - start
        console.print(
            f"Index reconstruit : {plural(service.engine.size, 'fiche')} en {decimal_fr(built)} s."
        )

    @search.command("status")
    def status(
        as_json: bool = typer.Option(False, "--json", help="Résultat en JSON."),
    ) -> None:
        """État de la recherche : fiches indexées, couverture des vecteurs, modèle, âge de l'index."""
        from allo.search.service import build_search_service

        state = build_search_service(runtime(), embed_missing=False).status()
        if as_json:
            out.print_json(json.dumps(state.as_dict(), ensure_ascii=False))
            return
        out.print(f"Fiches indexées : {number_fr(state.fiches)}")
        if not state.semantic:
            out.print("Re-classement sémantique : désactivé (ALLO_EMBEDDER=none).")
            return
        out.print(f"Modèle : {state.model}")
        out.print(
            f"Vecteurs sémantiques : {number_fr(state.with_vector)} / {number_fr(state.fiches)} "
            f"({percent_fr(state.coverage, 1)})"
        )
        if state.with_vector < state.fiches:
            out.print("Lancez « allo search reindex » pour calculer les vecteurs manquants.")
        zone = runtime().settings.zone
        built = datetime.fromtimestamp(state.built_at, zone)
        out.print(f"Index construit le {moment_fr(built, zone)} ({zone}).")

    evaluation = _find_group(app, "eval", "Mesures de qualité sur des jeux de questions.")

    @evaluation.command("search")
    def eval_search(
        files: Annotated[
            list[Path],
            typer.Argument(
                help="Un ou plusieurs jeux de questions JSONL : « question » et « expected »."
            ),
        ],
        repeat: int = typer.Option(3, min=1, max=50, help="Passes pour mesurer la latence."),
        as_json: bool = typer.Option(False, "--json", help="Résultat en JSON."),
    ) -> None:
        """hit@1, hit@5, MRR@10 et latence p50/p99 du moteur (hybride et lexical) et d'une
        référence FTS5 BM25, mesurés dans la même exécution, pour chaque jeu de questions."""
        from allo.search.evaluation import Fts5Baseline, evaluate, load_questions

        sets = [(file, load_questions(file)) for file in files]
        service = _service(query_cache=0)
        baseline = Fts5Baseline(service.documents())
        results: list[dict[str, Any]] = []
        for file, questions in sets:
            reports = []
            if service.semantic:
                reports.append(
                    evaluate(
                        "allo hybride",
                        questions,
                        lambda q: [h.id for h in service.search(q, 10)],
                        repeat,
                    )
                )
            reports.append(
                evaluate(
                    "allo lexical",
                    questions,
                    lambda q: [h.id for h in service.search(q, 10, semantic=False)],
                    repeat,
                )
            )
            reports.append(evaluate("FTS5 BM25 (référence)", questions, baseline.search, repeat))
            if as_json:
                results += [dict(r.as_dict(), file=file.name) for r in reports]
                continue
            table = Table(
                title=f"{file.name} : {plural(len(questions), 'question')}, "
                f"{plural(service.engine.size, 'fiche')}"
            )
            for column in ("moteur", "hit@1", "hit@5", "MRR@10", "p50 (ms)", "p99 (ms)"):
                table.add_column(column, justify="left" if column == "moteur" else "right")
            for r in reports:
                table.add_row(
                    r.name,
                    f"{r.hit1:.3f}",
                    f"{r.hit5:.3f}",
                    f"{r.mrr10:.3f}",
                    f"{r.p50_ms:.2f}",
                    f"{r.p99_ms:.2f}",
                )
            out.print(table)
        if as_json:
            out.print_json(json.dumps(results, ensure_ascii=False))
