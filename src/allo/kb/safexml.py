"""Safe XML parsing for untrusted source files: no entities, no network, no huge trees.

DILA exports are official, but `allo kb import` takes any file an operator points it at, so the
parser refuses what an attacker could use: external entities (XXE), entity expansion bombs
("billion laughs"), DTD loading and network access.
"""

from __future__ import annotations

import threading

from lxml import etree

_local = threading.local()


class UnsafeOrInvalidXML(ValueError):
    """The bytes are not a well-formed, safe XML document; the message is French."""


def _parser() -> etree.XMLParser:
    # lxml parsers are not thread-safe: one per thread.
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        _local.parser = parser
    return parser


def parse_xml(data: bytes) -> etree._Element:
    """Parse a document, refusing any DTD (DILA files have none) and so any entity trick."""
    head = data[:4096]
    if not head.strip():
        raise UnsafeOrInvalidXML("fichier vide")
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise UnsafeOrInvalidXML("déclaration DOCTYPE/ENTITY refusée (XML non sûr)")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise UnsafeOrInvalidXML(f"XML mal formé : {exc.msg}") from None
    if root is None:
        raise UnsafeOrInvalidXML("document XML vide")
    tree = root.getroottree()
    if tree.docinfo.doctype or (tree.docinfo.internalDTD is not None):
        raise UnsafeOrInvalidXML("déclaration DOCTYPE refusée (XML non sûr)")
    for el in root.iter(etree.Entity):
        raise UnsafeOrInvalidXML(f"entité {el.name!r} refusée (XML non sûr)")
    return root
