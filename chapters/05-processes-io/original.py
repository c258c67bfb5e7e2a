"""Chapter 5 in Python: "Multiprocessing is bad for IO."

The article's experiment: the same 16 downloads as chapter 4, on 4, 8 and 16
processes instead of threads. Each process waits for its own pages, so the
waits overlap just as they do with threads; a process only costs more to start.
The download function is chapter 4's, as in the article; the chapter passes
--modes processes and the URLs on standard input, one per line.

    build/latency-server &   then   echo http://127.0.0.1:PORT/page/0 | python3 original.py --modes processes
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "04-threads-useless"))
from original import main  # noqa: E402  (chapter 4's original.py: download() and its main)

if __name__ == "__main__":
    main(__doc__)
