"""Knowledge base: fiches (DILA, travail-emploi, local), their import, rendering and escalation sheets."""
