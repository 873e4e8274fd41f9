"""Bad input is reported by file name, the rest is imported, and nothing already stored is lost."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from allo.db.session import unit_of_work
from allo.kb import services
from allo.kb.importer import ImportReport
from allo.kb.models import Fiche
from allo.kb.safexml import UnsafeOrInvalidXML, parse_xml

MakeZip = Callable[[str, dict[str, bytes]], Path]
FeedFiles = Callable[[str], dict[str, bytes]]

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Publication ID="F9000001" type="Fiche d'information"><Texte><Paragraphe>&lol9;</Paragraphe></Texte></Publication>
"""


def _xxe(target: Path) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE Publication [<!ENTITY xxe SYSTEM "file://{target}">]>\n'
        '<Publication ID="F9000002" type="Fiche d\'information" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&xxe;</dc:title>'
        '<FilDAriane><Niveau ID="Particuliers">Accueil</Niveau></FilDAriane>'
        "<Texte><Paragraphe>&xxe;</Paragraphe></Texte></Publication>"
    ).encode()


def _import(factory: sessionmaker[Session], *paths: Path) -> ImportReport:
    with unit_of_work(factory) as session:
        return services.import_paths(session, list(paths), workers=1)


def _state(factory: sessionmaker[Session]) -> tuple[str, int]:
    with unit_of_work(factory) as session:
        return services.kb_version(session), services.stats(session)["total"]


def _origins(report: ImportReport) -> set[str]:
    return {p.origin for p in report.skipped}


def test_entity_tricks_are_refused_by_the_parser(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:SECRET")
    for payload in (BILLION_LAUGHS, _xxe(secret)):
        with pytest.raises(UnsafeOrInvalidXML):
            parse_xml(payload)
    # a DOCTYPE hidden after a long comment is caught after parsing, entities never expanded
    hidden = b"<!--" + b"x" * 6000 + b"-->" + BILLION_LAUGHS.split(b"?>", 1)[1]
    with pytest.raises(UnsafeOrInvalidXML):
        parse_xml(hidden)
    with pytest.raises(UnsafeOrInvalidXML, match="mal formé"):
        parse_xml(b"<Publication><Texte></Publication>")
    with pytest.raises(UnsafeOrInvalidXML, match="vide"):
        parse_xml(b"   ")


def test_bad_entries_are_reported_and_the_rest_imported(
    fresh_db: sessionmaker[Session], make_zip: MakeZip, feed_files: FeedFiles, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:SECRET")
    files = feed_files("particuliers")
    _import(fresh_db, make_zip("vosdroits-particuliers.zip", files))
    version, total = _state(fresh_db)

    broken = dict(files)
    broken["F82.xml"] = files["F82.xml"][: len(files["F82.xml"]) // 2]  # malformed XML
    broken["LISEZMOI.txt"] = b"pas du XML"  # not an XML entry
    broken["F9000001.xml"] = BILLION_LAUGHS
    broken["F9000002.xml"] = _xxe(secret)
    broken["F9000003.xml"] = b'<Publication type="Fiche"><Texte/></Publication>'  # no ID
    unknown = files["F1507.xml"].replace(
        b"<Texte>", b"<Texte><ElementInconnu>nouveau</ElementInconnu>", 1
    )
    broken["F1507.xml"] = unknown
    report = _import(fresh_db, make_zip("vosdroits-particuliers.zip", broken))

    assert not report.ok
    assert _origins(report) == {
        f"vosdroits-particuliers.zip:{name}"
        for name in ("F82.xml", "LISEZMOI.txt", "F9000001.xml", "F9000002.xml", "F9000003.xml")
    }
    messages = " ".join(p.message for p in report.skipped)
    assert "mal formé" in messages and "pas un fichier XML" in messages and "DOCTYPE" in messages
    # the unknown element is a warning: the fiche is imported and the element named
    assert [(p.origin, "ElementInconnu" in p.message) for p in report.warnings] == [
        ("vosdroits-particuliers.zip:F1507.xml", True)
    ]
    assert report.changed == 1 and report.removed == 0
    with unit_of_work(fresh_db) as session:
        # F82 could not be read this time: it is kept as it was, not withdrawn
        assert session.get(Fiche, "F82") is not None
        assert session.get(Fiche, "F9000002") is None
        assert services.stats(session)["total"] == total
        assert all("SECRET" not in f.body for f in services.list_fiches(session, limit=None))
    assert _state(fresh_db)[0] != version


def test_truncated_or_unreadable_files_change_nothing(
    fresh_db: sessionmaker[Session], make_zip: MakeZip, feed_files: FeedFiles, tmp_path: Path
) -> None:
    files = feed_files("particuliers")
    full = make_zip("vosdroits-particuliers.zip", files)
    _import(fresh_db, full)
    before = _state(fresh_db)

    truncated = tmp_path / "tronque" / "vosdroits-particuliers.zip"
    truncated.parent.mkdir()
    truncated.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    travail = tmp_path / "fiches-travail.json.gz"
    travail.write_bytes(gzip.compress(b'[{"pubId": "article1", "title": "x"}]')[:-10])
    empty = tmp_path / "vide.xml"
    empty.write_bytes(b"")
    report = _import(fresh_db, truncated, travail, empty, tmp_path / "absent.zip")
    assert not report.ok
    assert _origins(report) == {
        str(truncated),
        str(travail),
        str(empty),
        str(tmp_path / "absent.zip"),
    }
    assert "tronqu" in report.skipped[0].message
    assert (report.new, report.changed, report.removed) == (0, 0, 0)
    assert _state(fresh_db) == before


def test_bad_travail_records_are_skipped_one_by_one(
    fresh_db: sessionmaker[Session], tmp_path: Path
) -> None:
    good = {
        "pubId": "article1",
        "title": "Titre",
        "description": "d",
        "intro": "<p>Intro<script>alert(1)</script></p>",
        "date": "01/02/2024",
        "url": "https://travail-emploi.gouv.fr/x",
        "sections": [{"title": "S", "html": "<p>corps</p>", "references": {}}],
    }
    records = [good, {"pubId": "article2"}, "pas un objet", {"pubId": "../../etc", "title": "t"}]
    path = tmp_path / "fiches-travail.json"
    path.write_text(json.dumps(records))
    report = _import(fresh_db, path)
    assert report.new == 1
    assert len(report.skipped) == 3
    assert {p.origin.split(":#")[1][0] for p in report.skipped} == {"1", "2", "3"}
    with unit_of_work(fresh_db) as session:
        fiche = services.get_fiche(session, "article1")
        assert "alert" not in fiche.body and "Intro" in fiche.text


def test_a_failed_import_is_rolled_back_as_a_whole(
    fresh_db: sessionmaker[Session], make_zip: MakeZip, feed_files: FeedFiles
) -> None:
    files = feed_files("particuliers")
    _import(fresh_db, make_zip("vosdroits-particuliers.zip", {"F82.xml": files["F82.xml"]}))
    before = _state(fresh_db)

    class Interrupted(Exception):
        pass

    # the import has written everything in its transaction when the command is interrupted
    with pytest.raises(Interrupted), unit_of_work(fresh_db) as session:
        report = services.import_paths(
            session, [make_zip("vosdroits-particuliers.zip", files)], workers=1
        )
        assert report.new == len(files) - 1
        assert services.stats(session)["total"] == len(files)
        raise Interrupted
    assert _state(fresh_db) == before
