"""`perfproj tune`: which build is fastest for this project, measured on its own workload.

candidates.py  what can be tried on this machine (compiler, LTO/PGO/BOLT, arch, allocator)
builds.py      building a candidate from the project's presets and the PGO chain
measure.py     timing candidates interleaved; checking they compute the same thing
stats.py       medians, confidence intervals, significance (shared with the benchmark scripts)
search.py      the staged search with early stops and a time budget
report.py      the table, and the winner as `tuned` presets with its profiles
"""
