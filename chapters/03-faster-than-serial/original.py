"""Chapter 3 in Python: "Multithreading is always faster than serial."

The article's experiment: the same CPU-heavy jobs one after another, then on
threads. In CPython only the thread holding the GIL runs, so the threads are no
faster; they also pay for handing the GIL over every switch interval. The job is
chapter 1's cpu_heavy(); the chapter passes --modes serial,threads.

    python3 original.py --modes serial,threads --jobs 2 --seconds 1     (prints CSV; see ../python/harness.py)
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "01-same-thing"))
from original import main  # noqa: E402  (chapter 1's original.py: cpu_heavy() and its main)

if __name__ == "__main__":
    main(__doc__)
