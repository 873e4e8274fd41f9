"""The legal watch's list for the articles a text names, composed once for the editors' page,
the API and the CLI: the search's citations (`allo.search.legal_watch`), the service's own fiches
from their current text (drafts included), and what the service relies on — which needs the
advisors' consultations, kept by the contacts domain, hence its place above both."""

from __future__ import annotations

from sqlalchemy.orm import Session

from allo.contacts.repository import consulted_counts
from allo.kb import watch
from allo.kb.escalation import readable_sheets
from allo.kb.local import repository as local_repository
from allo.runtime import Runtime
from allo.search import legal_watch
from allo.search.legal_watch import ArticleReview
from allo.search.service import get_search_service


def reviews(runtime: Runtime, session: Session, text: str) -> list[ArticleReview]:
    """The fiches to review for each article `text` names (InvalidInput, in French, if none)."""
    found = get_search_service(runtime).citations(text)
    sheets = readable_sheets(runtime.settings.home)
    relied = watch.reliance(session, sheets, None, consulted_counts)
    return legal_watch.review(found, local_repository.live_fiches(session), relied)
