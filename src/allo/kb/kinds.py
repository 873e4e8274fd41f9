"""Normalised publication kinds: the source's type label mapped to one short, stable word.

Other domains filter and weight on these (search keeps `fiche`, `question`, `dossier`…), so the
set is closed: an unknown label maps to `autre` and is reported by the importer.
"""

from __future__ import annotations

FICHE = "fiche"
QUESTION = "question"
DOSSIER = "dossier"
THEME = "theme"
COMMENT_FAIRE = "comment-faire"
RECHERCHE_GUIDEE = "recherche-guidee"
FORMULAIRE = "formulaire"
TELESERVICE = "teleservice"
MODELE = "modele"
SIMULATEUR = "simulateur"
OUTIL = "outil"
AUTRE = "autre"
#: a local fiche written for the phone, seen by agents only (never listed on the portal)
INTERNAL = "fiche-interne"

#: kinds that answer a question themselves (the "fiches" of the 3939's knowledge base)
ANSWER_KINDS = frozenset({FICHE, QUESTION, COMMENT_FAIRE})
#: kinds that are resources (R…): forms, online services, models, simulators
RESOURCE_KINDS = frozenset({FORMULAIRE, TELESERVICE, MODELE, SIMULATEUR, OUTIL})

_BY_LABEL = {
    "fiche d'information": FICHE,
    "fiche d'information conditionnée": FICHE,
    "fiche avec liens externes": FICHE,
    "fiche pratique": FICHE,
    "fiche question-réponse": QUESTION,
    "fiche question-réponse conditionnée": QUESTION,
    "dossier": DOSSIER,
    "theme": THEME,
    "thème": THEME,
    "fiche comment faire si": COMMENT_FAIRE,
    "fiche comment faire si - simulateur": COMMENT_FAIRE,
    "recherche guidée": RECHERCHE_GUIDEE,
    "formulaire": FORMULAIRE,
    "téléservice": TELESERVICE,
    "téléservice personnalisé sur sp": TELESERVICE,
    "modèle de document": MODELE,
    "simulateur": SIMULATEUR,
    "outil de recherche": OUTIL,
}

#: French labels for display, per kind
LABELS = {
    FICHE: "Fiche pratique",
    QUESTION: "Question-réponse",
    DOSSIER: "Dossier",
    THEME: "Thème",
    COMMENT_FAIRE: "Comment faire si…",
    RECHERCHE_GUIDEE: "Recherche guidée",
    FORMULAIRE: "Formulaire",
    TELESERVICE: "Service en ligne",
    MODELE: "Modèle de document",
    SIMULATEUR: "Simulateur",
    OUTIL: "Outil de recherche",
    AUTRE: "Autre",
    INTERNAL: "Fiche interne du service",
}


def kind_of(type_label: str) -> str:
    return _BY_LABEL.get(type_label.strip().lower(), AUTRE)


def is_known(type_label: str) -> bool:
    return type_label.strip().lower() in _BY_LABEL
