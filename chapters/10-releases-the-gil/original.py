"""Chapter 10 in real CPython: checksums on threads, in buffers of several sizes.

Each job checksums buffers of one size for about --seconds, with zlib.crc32 or
hashlib.sha256; every size of --sizes runs in each rep, serially and on threads, so
a slow moment of the machine is spread over all sizes rather than falling on one. Both are C code that releases the GIL around the work, but only
for buffers large enough to be worth it: zlib.crc32 over 5 KiB
(Modules/zlibmodule.c, zlib_crc32_impl), hashlib.sha256 from HASHLIB_GIL_MINSIZE,
2048 bytes (Modules/hashlib.h). The Python loop around each call holds the GIL.

Prints the workbook's CSV (chapters/python/harness.py). Each job returns its buffer
size: that is how the chapter tells the runs of different sizes apart. Standard
library only.

    python3 chapters/10-releases-the-gil/original.py --modes serial,threads --kernel sha256 --sizes 512,65536
"""
import hashlib
import os
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import harness  # noqa: E402

DATA = bytes((i * 2654435761 >> 24) & 0xFF for i in range(1 << 20))


def checksums(argument):
    """A job: `calls` buffers of `size` bytes through `kernel`, the Python loop around
    them. Returns the buffer size. (One argument, and a module-level function: a
    process pool pickles both.)"""
    kernel, size, calls = argument
    views = [memoryview(DATA)[offset:offset + size] for offset in range(0, (1 << 20) - size + 1, max(size, 4099))]
    value = 0
    for call in range(calls):
        buf = views[call % len(views)]
        if kernel == "crc32":
            value = zlib.crc32(buf, value)
        else:
            value ^= hashlib.sha256(buf).digest()[0]
    return size


def main():
    def extra(parser):
        parser.add_argument("--kernel", choices=("crc32", "sha256"), default="sha256")
        parser.add_argument("--sizes", default="4096", help="bytes per buffer, a list (each 1 to 1048576)")
        parser.add_argument("--jobs", type=int, default=os.cpu_count())
        parser.add_argument("--seconds", type=float, default=0.05, help="length of one job")

    args = harness.arguments(__doc__.splitlines()[0], extra)
    sizes = [int(s) for s in args.sizes.split(",")]
    if not all(1 <= s <= 1 << 20 for s in sizes):
        raise SystemExit("original.py: --sizes must be from 1 to 1048576")
    calls = {size: harness.iterations_for(args.seconds, lambda n, s=size: checksums((args.kernel, s, n)), probe=0.01,
                                          start=1) for size in sizes}
    harness.describe(kernel=args.kernel, sizes=args.sizes.replace(",", "_"))
    for rep in range(args.reps):
        for size in sizes:
            for mode in args.modes:
                workers = 1 if mode == "serial" else args.workers[0]
                jobs = [(args.kernel, size, calls[size])] * args.jobs
                harness.report(mode, workers, rep, *harness.run(mode, workers, checksums, jobs))
                sys.stdout.flush()


if __name__ == "__main__":
    main()
