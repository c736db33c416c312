"""Benchmarks: `make bench` runs every section and writes docs/PERFORMANCE.md."""
