"""Graph nodes of the cascade, one module per stage (wired in `pipeline.graph`).

Kept import-free so that the pure policy module (`pipeline.nodes._policy`) can be used
without loading the rest of the graph.
"""
