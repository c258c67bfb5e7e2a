"""Chapter 8 in Python: one thread with an event loop against many threads, fetching pages.

The same pages as chapters 4 and 5, from the workbook's local latency server (their
URLs on standard input, one per line): serially and on threads with urllib (chapter
4's download), and on one thread with asyncio, every request in flight at once, each
a raw HTTP/1.1 GET over asyncio's streams (asyncio.open_connection: the asyncio docs,
"Streams"). While its requests wait, the event loop waits on all their sockets at
once (selectors: epoll on Linux) and needs no thread per request.

    build/latency-server &   then   urls | python3 original.py --modes serial,threads,asyncio --workers 16
"""
import asyncio
import os
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
sys.path.insert(0, os.path.join(HERE, "..", "04-threads-useless"))
import harness  # noqa: E402
from original import download  # noqa: E402  (chapter 4's urllib job)


async def fetch(argument):
    """One page over a raw asyncio stream: its body's size in bytes, or -1 if it failed."""
    url, timeout = argument
    parts = urllib.parse.urlsplit(url)
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(parts.hostname, parts.port or 80), timeout)
        try:
            path = parts.path or "/"
            writer.write(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % (path, parts.netloc)).encode())
            await writer.drain()
            response = await asyncio.wait_for(reader.read(), timeout)  # until the server closes
        finally:
            writer.close()
        head, _, body = response.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200") and not head.startswith(b"HTTP/1.0 200"):
            raise OSError("status line %r" % head.split(b"\r\n")[0][:40])
        return len(body)
    except (OSError, asyncio.TimeoutError) as error:
        print("%s: %s" % (url, error or "timed out"), file=sys.stderr)
        return -1


def main():
    def own_flags(parser):
        parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for one page")

    args = harness.arguments(__doc__.splitlines()[0], own_flags)
    urls = [line.strip() for line in sys.stdin if line.strip()]
    harness.describe(requests=len(urls))
    arguments = [(url, args.timeout) for url in urls]
    for rep in range(args.reps):
        for mode in args.modes:
            if mode == "processes":
                sys.exit("original.py: this chapter compares serial, threads and asyncio")
            job = fetch if mode == "asyncio" else download
            # asyncio: one thread, every request at once (its "workers": how many are in flight).
            for workers in [1] if mode == "serial" else [len(urls)] if mode == "asyncio" else args.workers:
                harness.report(mode, workers, rep, *harness.run(mode, workers, job, arguments))
                sys.stdout.flush()


if __name__ == "__main__":
    main()
