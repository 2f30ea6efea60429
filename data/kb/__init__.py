"""The knowledge-base data files, shipped in the wheel as the package ``pipeline._kb``
(see ``pyproject.toml``: ``[tool.setuptools.package-dir]``). No code."""
