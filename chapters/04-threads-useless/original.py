"""Chapter 4 in Python: "Multithreading is useless."

The article's experiment: download 16 web pages one after another, then on 4, 8
and 16 threads. A CPython thread releases the GIL while it waits for the
network, so the waits overlap and the threads finish far sooner than serial
code. The pages come from the workbook's local latency server: the chapter
passes their URLs on standard input, one per line.

    build/latency-server &   then   echo http://127.0.0.1:PORT/page/0 | python3 original.py
"""
import os
import sys
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import harness  # noqa: E402

# The pages are on this machine: never go through a proxy from the environment.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def download(argument):
    """The article's job: fetch one page. Returns its size in bytes, or -1 if it failed.
    The timeout comes with the URL, not in a global: a worker started by "spawn" or
    "forkserver" would not see a global set after the script started."""
    url, timeout = argument
    try:
        with OPENER.open(url, timeout=timeout) as response:
            return len(response.read())
    except OSError as error:
        print("%s: %s" % (url, error), file=sys.stderr)
        return -1


def main(description=__doc__):
    def own_flags(parser):
        parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for one page")

    args = harness.arguments(description.splitlines()[0], own_flags)
    urls = [line.strip() for line in sys.stdin if line.strip()]
    harness.describe(requests=len(urls))
    harness.run_all(args, download, [(url, args.timeout) for url in urls])


if __name__ == "__main__":
    main()
