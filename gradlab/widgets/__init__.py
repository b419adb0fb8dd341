"""One explorer widget per chapter, all built on widgets.base.Explorer."""
from gradlab.widgets.tangent import TangentExplorer

__all__ = ["TangentExplorer"]
