"""Importer: fields parsed from real DILA files, idempotence, merged audiences, withdrawal scope."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from allo.db.session import unit_of_work
from allo.kb import services
from allo.kb.importer import ImportReport
from allo.kb.models import Fiche, FicheVariant

MakeZip = Callable[[str, dict[str, bytes]], Path]
FeedFiles = Callable[[str], dict[str, bytes]]
DATA = Path(__file__).parent / "data"


def _import(factory: sessionmaker[Session], *paths: Path, workers: int = 1) -> ImportReport:
    with unit_of_work(factory) as session:
        return services.import_paths(session, list(paths), workers=workers)


def _fiche(factory: sessionmaker[Session], fiche_id: str) -> Fiche:
    with unit_of_work(factory) as session:
        return services.get_fiche(session, fiche_id)


def _feeds(factory: sessionmaker[Session], fiche_id: str) -> set[str]:
    with unit_of_work(factory) as session:
        return set(
            session.scalars(select(FicheVariant.feed).where(FicheVariant.fiche_id == fiche_id))
        )


def test_folder_import_parses_the_publication_fields(fresh_db: sessionmaker[Session]) -> None:
    report = _import(fresh_db, DATA / "particuliers")
    assert report.ok, report.skipped
    assert report.new == len(list((DATA / "particuliers").glob("*.xml")))
    fiche = _fiche(fresh_db, "F1342")
    assert fiche.source == "dila"
    assert fiche.kind == "fiche"
    assert fiche.type_label == "Fiche d'information conditionnée"
    assert fiche.title == "Carte d'identité d'un mineur : première demande"
    assert fiche.description.startswith("Pour faire la carte d'identité d'un enfant mineur")
    assert fiche.subject == "Papiers - Citoyenneté"
    assert [c["id"] for c in fiche.breadcrumb] == ["N19810", "N358"]
    assert fiche.breadcrumb[1]["title"] == "Carte d'identité"
    assert fiche.audiences == ["particuliers"]
    assert fiche.url == "https://www.service-public.gouv.fr/particuliers/vosdroits/F1342"
    assert fiche.modified == date(2020, 7, 21)
    assert fiche.body.startswith("<Publication") and fiche.body_format == "dila-xml"
    rels = {(r["id"], r["rel"]) for r in fiche.related}
    assert ("N358", "dossier") in rels
    assert ("F18605", "lien-interne") in rels
    assert ("F11601", "question-reponse") in rels
    assert ("F1359", "voir-aussi") in rels
    service = next(s for s in fiche.services if s["id"] == "R45668")
    assert service["kind"] == "teleservice" and service["url"].startswith("https://")
    urls = {r["url"] for r in fiche.references}
    assert "https://www.legifrance.gouv.fr/loda/article_lc/LEGIARTI000034729485" in urls
    assert "Situation 1 sur 2 : Demande en France" in fiche.text
    assert "Cas : Entre 0 et 12 ans" in fiche.text
    assert fiche.content_hash and len(fiche.content_hash) == 64


def test_resources_dossiers_pivots_and_contacts(fresh_db: sessionmaker[Session]) -> None:
    _import(fresh_db, DATA / "particuliers", DATA / "professionnels")
    form = _fiche(fresh_db, "R1343")
    assert form.kind == "formulaire"
    assert form.services[0]["cerfa"] == "60-3555"
    dossier = _fiche(fresh_db, "N358")
    assert dossier.kind == "dossier"
    children = [r["id"] for r in dossier.related if r["rel"] == "contenu"]
    assert {"F1341", "F1342", "F21089"} <= set(children)
    assert "mairie" in _fiche(fresh_db, "F1507").pivots
    cerfa = _fiche(fresh_db, "R21481")
    assert cerfa.services[0]["cerfa"], cerfa.services
    with unit_of_work(fresh_db) as session:
        with_contacts = [
            f
            for f in services.list_fiches(session, limit=None)
            if f.contacts and f.contacts[0]["text"]
        ]
    assert with_contacts, "a national contact with its text (Centre de contact…)"


def test_reimport_is_idempotent_and_reports_changes(
    fresh_db: sessionmaker[Session], make_zip: MakeZip, feed_files: FeedFiles
) -> None:
    files = feed_files("particuliers")
    first = _import(fresh_db, make_zip("vosdroits-particuliers.zip", files))
    assert (first.new, first.changed, first.unchanged, first.removed) == (len(files), 0, 0, 0)
    with unit_of_work(fresh_db) as session:
        version = services.kb_version(session)
        stamp = services.get_fiche(session, "F82").updated_at

    again = _import(fresh_db, make_zip("vosdroits-particuliers.zip", files))
    assert (again.new, again.changed, again.unchanged, again.removed) == (0, 0, len(files), 0)
    with unit_of_work(fresh_db) as session:
        assert services.kb_version(session) == version
        assert services.get_fiche(session, "F82").updated_at == stamp

    edited = dict(files)
    edited["F82.xml"] = files["F82.xml"].replace(b"<dc:title>", "<dc:title>[Modifié] ".encode(), 1)
    del edited["F1507.xml"]
    third = _import(fresh_db, make_zip("vosdroits-particuliers.zip", edited))
    assert (third.new, third.changed, third.unchanged, third.removed) == (0, 1, len(files) - 2, 1)
    assert third.complete_feeds == ["particuliers"]
    assert _fiche(fresh_db, "F82").title.startswith("[Modifié] ")
    with unit_of_work(fresh_db) as session:
        assert services.kb_version(session) != version
        assert session.get(Fiche, "F1507") is None
        assert (
            session.scalars(select(FicheVariant).where(FicheVariant.fiche_id == "F1507")).all()
            == []
        )


def test_same_id_under_several_audiences_is_one_merged_row(
    fresh_db: sessionmaker[Session], make_zip: MakeZip, feed_files: FeedFiles
) -> None:
    part = make_zip("vosdroits-particuliers.zip", feed_files("particuliers"))
    pro = make_zip("vosdroits-professionnels.zip", feed_files("professionnels"))
    report = _import(fresh_db, part, pro)
    assert report.ok
    assert report.records == len(feed_files("particuliers")) + len(feed_files("professionnels"))
    # F31851 is in both exports: one row, the particuliers version as body, both audiences
    assert report.new == report.records - 1
    fiche = _fiche(fresh_db, "F31851")
    assert fiche.audiences == ["particuliers", "professionnels"]
    assert _feeds(fresh_db, "F31851") == {"particuliers", "professionnels"}
    assert 'ID="Particuliers"' in fiche.body
    with unit_of_work(fresh_db) as session:
        assert services.stats(session)["total"] == report.new


def test_withdrawal_is_scoped_to_the_feed_of_a_complete_export(
    fresh_db: sessionmaker[Session], make_zip: MakeZip, feed_files: FeedFiles
) -> None:
    part = make_zip("vosdroits-particuliers.zip", feed_files("particuliers"))
    pro_files = feed_files("professionnels")
    pro = make_zip("vosdroits-professionnels.zip", pro_files)
    _import(fresh_db, part, pro)
    with unit_of_work(fresh_db) as session:
        total = services.stats(session)["total"]

    # importing only the associations export must not touch particuliers/professionnels fiches
    asso = make_zip("vosdroits-associations.zip", feed_files("associations"))
    report = _import(fresh_db, asso)
    assert (report.new, report.removed) == (1, 0)
    with unit_of_work(fresh_db) as session:
        assert services.stats(session)["total"] == total + 1

    # the professionnels export without F31851 and F22549: the shared fiche loses that feed only
    trimmed = {k: v for k, v in pro_files.items() if k not in ("F31851.xml", "F22549.xml")}
    report = _import(fresh_db, make_zip("vosdroits-professionnels.zip", trimmed))
    assert (report.changed, report.removed) == (1, 1)
    assert _feeds(fresh_db, "F31851") == {"particuliers"}
    assert 'ID="Particuliers"' in _fiche(fresh_db, "F31851").body
    with unit_of_work(fresh_db) as session:
        assert session.get(Fiche, "F22549") is None

    # a folder (or any zip not named like DILA's exports) is a partial update: nothing removed
    report = _import(
        fresh_db,
        make_zip(
            "quelques-fiches.zip", {"F82.xml": (DATA / "particuliers" / "F82.xml").read_bytes()}
        ),
    )
    assert (report.unchanged, report.removed, report.complete_feeds) == (1, 0, [])


def test_parallel_parsing_gives_the_same_rows(
    fresh_db: sessionmaker[Session], make_database: Callable[[], str]
) -> None:
    from allo.db.engine import make_engine
    from allo.db.migrate import upgrade
    from allo.db.session import make_session_factory
    from allo.kb.bundled import sample_paths
    from allo.kb.importer import BATCH

    travail = next(p for p in sample_paths() if "travail" in p.name)
    inputs = [DATA / "particuliers", travail]  # 269 travail records: more than a batch
    assert BATCH < 269
    _import(fresh_db, *inputs, workers=1)
    engine = make_engine(make_database())
    upgrade(engine)
    other = make_session_factory(engine)
    report = _import(other, *inputs, workers=2)
    assert report.ok and report.new == 14 + 269
    columns = (Fiche.id, Fiche.content_hash, Fiche.text, Fiche.body, Fiche.related, Fiche.audiences)
    with unit_of_work(fresh_db) as a, unit_of_work(other) as b:
        assert (
            a.execute(select(*columns).order_by(Fiche.id)).all()
            == b.execute(select(*columns).order_by(Fiche.id)).all()
        )
    engine.dispose()


def test_travail_json_is_imported_and_sanitised(fresh_db: sessionmaker[Session]) -> None:
    from allo.kb.bundled import sample_paths

    travail = next(p for p in sample_paths() if "travail" in p.name)
    report = _import(fresh_db, travail)
    assert report.ok and report.new == 269
    assert report.complete_feeds == ["travail"]
    fiche = _fiche(fresh_db, "article375542")
    assert (fiche.source, fiche.kind, fiche.body_format) == ("travail", "fiche", "html")
    assert fiche.title == "Les délégués syndicaux"
    assert fiche.url == "https://travail-emploi.gouv.fr/les-delegues-syndicaux"
    assert fiche.modified == date(2025, 11, 13)
    assert fiche.audiences == ["particuliers", "professionnels"]
    assert any(r["title"].startswith("Code du travail : article L") for r in fiche.references)
    assert "<script" not in fiche.body and "onclick" not in fiche.body
    assert "fr-collapse" not in fiche.body  # accordions are opened: the text must be readable
    assert "Le mandat de délégué syndical peut être cumulé" in fiche.text
    again = _import(fresh_db, travail)
    assert (again.unchanged, again.changed) == (269, 0)


def test_kb_version_and_stats_follow_the_content(fresh_db: sessionmaker[Session]) -> None:
    with unit_of_work(fresh_db) as session:
        empty = services.kb_version(session)
        assert services.stats(session)["total"] == 0
    _import(fresh_db, DATA / "professionnels")
    with unit_of_work(fresh_db) as session:
        assert services.kb_version(session) != empty
        stats = services.stats(session)
    assert stats["total"] == 6
    assert stats["by_source"] == {"dila": 6}
    assert stats["by_audience"]["professionnels"] == 6
    assert (stats["by_type"]["Dossier"], stats["by_type"]["Theme"]) == (1, 1)
    assert stats["by_kind"]["dossier"] == 1


def test_a_data_folder_imports_the_exports_it_holds(
    fresh_db: sessionmaker[Session], make_zip: MakeZip, feed_files: FeedFiles, tmp_path: Path
) -> None:
    make_zip("vosdroits-professionnels.zip", feed_files("professionnels"))
    (tmp_path / "fiches-travail.json").write_text(
        '[{"pubId": "article1", "title": "Titre", "sections": []}]', encoding="utf-8"
    )
    (tmp_path / "communes.json").write_text("[]")  # another dataset: not a travail export
    report = _import(fresh_db, tmp_path)
    assert report.ok, report.skipped
    assert report.new == 7
    assert sorted(report.complete_feeds) == ["professionnels", "travail"]
    empty = tmp_path / "vide"
    empty.mkdir()
    report = _import(fresh_db, empty)
    assert [p.message for p in report.skipped] == [
        "dossier sans fichier XML ni export DILA/travail"
    ]


def test_a_fiche_brought_by_another_input_is_not_withdrawn(
    fresh_db: sessionmaker[Session], make_zip: MakeZip, feed_files: FeedFiles, tmp_path: Path
) -> None:
    files = feed_files("particuliers")
    _import(fresh_db, make_zip("vosdroits-particuliers.zip", files))
    without = {k: v for k, v in files.items() if k != "F82.xml"}
    extra = tmp_path / "en-plus"
    extra.mkdir()
    edited = files["F82.xml"].replace(b"<dc:title>", b"<dc:title>Nouveau : ", 1)
    (extra / "F82.xml").write_bytes(edited)
    report = _import(fresh_db, make_zip("vosdroits-particuliers.zip", without), extra)
    assert (report.changed, report.removed) == (1, 0)
    assert _fiche(fresh_db, "F82").title.startswith("Nouveau : ")
    assert _feeds(fresh_db, "F82") == {"particuliers"}
    # the same record twice in one import: the last one wins, with a warning
    other = tmp_path / "autre"
    other.mkdir()
    (other / "F82.xml").write_bytes(files["F82.xml"])
    report = _import(fresh_db, extra, other)
    assert report.changed == 1 and len(report.warnings) == 1
    assert not _fiche(fresh_db, "F82").title.startswith("Nouveau : ")
