"""One explorer widget per chapter, all built on widgets.base.Explorer."""
from gradlab.widgets.autodiff import ExpressionExplorer
from gradlab.widgets.chain import ChainExplorer
from gradlab.widgets.graph import GraphExplorer
from gradlab.widgets.partials import PartialsExplorer
from gradlab.widgets.tangent import TangentExplorer
from gradlab.widgets.training import TrainingExplorer

__all__ = ["ChainExplorer", "ExpressionExplorer", "GraphExplorer", "PartialsExplorer", "TangentExplorer", "TrainingExplorer"]
