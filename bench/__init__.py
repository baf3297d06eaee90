"""The load benchmark of the twin against Prism's mock and a bare Starlette handler.

``make bench`` (``python -m bench``) measures and prints the table; ``make bench-check``
(``python -m bench --check``) runs a short version and fails when a ratio falls below its target
by more than the noise measured in the same run. See ``bench/README.md``.
"""
