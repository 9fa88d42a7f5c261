"""One module per command. Commands that write have one shape: plan, then apply.

new.py, adopt.py, update.py, org.py each compute a changes.Plan first (every
file they will write, with the bytes they read), then hand it to
changes.apply, or print it (--dry-run). doctor.py and explain.py only read.
"""
