"""The benchmark of the baked project against the same API by hand: run.py."""
