"""The benchmarks (``make bench``). ``views`` and ``urls`` are the ceiling page, mounted only with TESSERA_BENCH."""
