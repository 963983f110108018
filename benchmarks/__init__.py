"""Benchmarks run by `make bench`. Each module has ``run() -> Result``; every figure is
reported beside a baseline measured in the same run, because these machines are shared
and noisy: a ratio to a baseline means more than a bare number."""
