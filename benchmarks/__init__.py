"""Benchmarks that start the real Porthole parts and print their speed and size as a table.

``scripts/bench`` runs :mod:`benchmarks.cloud`; the load itself comes from
:mod:`benchmarks.loadgen` subprocesses so the generator never shares a process (or an
event loop) with the orchestrator, and the cloud's memory can be measured on its own.
"""
