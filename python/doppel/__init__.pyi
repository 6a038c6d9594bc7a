from doppel.index import Index as Index
from doppel.index import IndexLockedError as IndexLockedError
from doppel.jobs import BadInputError as BadInputError
from doppel.jobs import BadInputWarning as BadInputWarning
from doppel.jobs import DedupResult as DedupResult
from doppel.jobs import NoDocumentsError as NoDocumentsError
from doppel.jobs import ReuseResult as ReuseResult
from doppel.jobs import dedup as dedup
from doppel.jobs import reuse as reuse

__version__: str
__all__: list[str]
