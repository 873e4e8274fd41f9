"""Every domain's models, imported in one place so Alembic and create_all see the whole schema."""

import allo.backlog.models
import allo.contacts.models
import allo.contacts.service_models
import allo.directory.models

# Domain model modules register their tables on Base.metadata when imported.
import allo.kb.local.models
import allo.kb.local.sheet_models
import allo.kb.models
import allo.privacy.models
import allo.search.models
import allo.stats.staffing.models  # noqa: F401
from allo.db.base import Base

__all__ = ["Base"]
