"""The editorial backlog: feedback from the floor (fiche flags) and the content gaps."""
