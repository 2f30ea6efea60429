"""The ``ddi`` sub-commands (``ask``, ``resolve``, ``graph``), one private module each.

`pipeline.cli` imports only the module of the command being run and builds its parser
from it; each command imports the pipeline inside ``run``, so ``--help`` and usage
errors answer without loading LangGraph or the KB. These are the package's only
function-local imports of its own modules besides optional dependencies and lazy
facades (`tests/test_architecture.py` counts them in the import graph all the same).
"""

__all__: list[str] = []
