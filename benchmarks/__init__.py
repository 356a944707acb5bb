"""Benchmarks, apart from the tests: each ``*_bench.py`` module has a ``main()``.

Run them with ``python -m benchmarks [NAME] [ARGS...]`` (see ``benchmarks/README.md``).
"""
