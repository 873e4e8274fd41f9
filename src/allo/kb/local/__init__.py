"""The service's own answer fiches (`source = local`): written, reviewed, versioned, published.

A `LocalFiche` is the editors' working copy with its workflow state; every save is a
`LocalFicheVersion`. Publishing writes the published version into the knowledge base's `fiche`
table (id `L…`, source `local`), so search, the fiche pages, `allo kb where` and the office panel
treat it like any other fiche; archiving removes it from there.
"""
