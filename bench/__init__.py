"""The benchmark of the baked project against plain Flask: see run.py."""
