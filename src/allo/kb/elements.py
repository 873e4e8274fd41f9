"""Every element name of the DILA "vos droits" XML (schemas 3.3 and 3.4), each with a deliberate role.

The list was built from the full corpus (the three 2020 exports in schema 3.3: 7,591
publications, 115 element names) and the real schema 3.4 publications of 2021–2025 (which add
`QuiPeutMAider`, the new name of `OuSAdresser`, and `Exemple`). The renderers handle every name in RENDERED; METADATA names are read by the importer
(title, breadcrumb, audiences…) or are display logic of service-public.fr, and are not rendered
in the body. The importer reports any name outside KNOWN, and the full-corpus test checks that
no element reaches the renderers' generic fallback.
"""

from __future__ import annotations

DC = "{http://purl.org/dc/elements/1.1/}"

#: Dublin Core metadata: title, description, subject, dates, sources… read by the importer.
DUBLIN_CORE = frozenset(
    DC + name
    for name in (
        "title",
        "creator",
        "subject",
        "description",
        "publisher",
        "contributor",
        "date",
        "type",
        "format",
        "identifier",
        "source",
        "language",
        "relation",
        "coverage",
        "rights",
    )
)

#: Read by the importer or used by service-public.fr for navigation/personalisation only.
METADATA = DUBLIN_CORE | frozenset(
    {
        "SurTitre",  # the type label shown above the title
        "Audience",  # audiences: merged into Fiche.audiences
        "Canal",  # publication channel (always www.service-public.fr)
        "FilDAriane",  # breadcrumb: Fiche.breadcrumb
        "Niveau",
        "Theme",  # parent theme: Fiche.subject / related
        "SousThemePere",
        "DossierPere",  # parent dossier and its other fiches: Fiche.related (rel "dossier")
        "SousDossierPere",
        "Cible",  # marketing target label ("Artiste"): not shown on service-public.fr either
        "Condition",  # personalisation logic (variables T…); case titles carry the meaning
        "estVrai",
        "estIndefini",
        "et",
        "ou",
        "SiSelectionne",  # guided-search/questionnaire logic: which variables a choice sets
        "affecteVrai",
        "affecteFaux",
        "TitreAlternatif",  # alternative chapter title used by personalised pages only
        "Colonne",  # table column widths/types (header columns are read by the table renderer)
    }
)

#: Rendered to HTML and text.
RENDERED = frozenset(
    {
        # structure
        "Publication",
        "ServiceComplementaire",
        "Introduction",
        "Texte",
        "Chapitre",
        "SousChapitre",
        "Titre",
        "Paragraphe",
        "Liste",
        "Item",
        "Tableau",
        "Rangée",
        "Cellule",
        "Resume",
        # boxes
        "ANoter",
        "ASavoir",
        "Attention",
        "Rappel",
        "Avertissement",
        "Exemple",  # schema 3.4: a worked example inside a chapter or a case
        # conditional content
        "ListeSituations",
        "Situation",
        "BlocCas",
        "Cas",
        "FragmentConditionne",
        # inline
        "MiseEnEvidence",
        "Expression",
        "Citation",
        "Valeur",
        "Exposant",
        "Indice",
        "Variable",
        "TermeEtranger",
        "LienExterne",
        "LienInterne",
        "LienIntra",
        # media
        "Image",
        "Illustration",
        "ContenuIllustre",
        "Contenu",
        "Legende",
        "Credits",
        "Description",
        "TexteDeRemplacement",
        # glossary
        "Definition",
        "Abreviation",
        # where to go, online services, references
        "OuSAdresser",
        "OuSAdresserSupport",
        "QuiPeutMAider",  # schema 3.4: "où s'adresser", same content as OuSAdresser
        "PivotLocal",
        "RessourceWeb",
        "Complement",
        "Source",
        "ServiceEnLigne",
        "ServiceEnLigneAnnexe",
        "ServiceEnLigneAlternatif",
        "NoticeLiee",
        "LienWeb",
        "NumeroCerfa",
        "AutreNumero",
        "Reference",
        "PourEnSavoirPlus",
        "LienExterneCommente",
        "Commentaire",
        "Partenaire",
        # navigation between publications
        "VoirAussi",
        "Fiche",
        "Dossier",
        "SousDossier",
        "SousTheme",
        "FicheLiee",
        "QuestionReponse",
        "CommentFaireSi",
        "RechercheGuidee",
        # guided search and questionnaires
        "Problematiques",
        "Problematique",
        "Branche",
        "Aide",
        "Questionnaire",
        "Question",
        "Choix",
        "IntituleSiSelectionne",
    }
)

KNOWN = METADATA | RENDERED

#: the elements that say where to go: a local office type (PivotLocal) or a national contact.
#: Schema 3.4 writes the publication-level one `QuiPeutMAider`; 3.3 wrote `OuSAdresser`.
WHERE_TO_GO = ("OuSAdresser", "QuiPeutMAider", "OuSAdresserSupport")

#: schema versions read as they are (named in xsi:noNamespaceSchemaLocation, "../Schemas/3.4/…");
#: a later version is imported too, with a warning, as long as its elements are known
SCHEMAS = ("3.3", "3.4", "3.5")


def unknown_elements(tags: set[str]) -> set[str]:
    return {t for t in tags if t not in KNOWN}
