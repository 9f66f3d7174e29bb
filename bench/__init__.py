"""Benchmarks: ``make bench`` (bench/run.py) and the older single-figure scripts, on one shared toolkit."""
