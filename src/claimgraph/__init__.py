"""claimgraph: who says so, through whom, and how many independent origins.

Importing this package does no I/O and loads no model.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
