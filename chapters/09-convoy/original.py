"""Chapter 9 in real CPython: an I/O thread's round trips beside CPU-bound threads.

One thread sends a byte to an echo peer in another process (a socket pair; the peer
is a separate python3, so it shares no GIL with us) and waits for it to come back,
again and again for a fixed window. Beside it, 0, 1 or more threads run pure Python
arithmetic. socket.send() and socket.recv() release the GIL while they wait
(Modules/socketmodule.c wraps the system calls in Py_BEGIN_ALLOW_THREADS); to go on,
the I/O thread must take the GIL back from a CPU-bound thread, which lets go only when
asked after sys.getswitchinterval() (Python/ceval_gil.c, take_gil()).

Prints the workbook's CSV (chapters/python/harness.py): one run per rep and number of
CPU threads, mode "threads", workers = 1 + CPU threads, one task row for the I/O
thread whose result is its number of round trips, and one "running" row per round
trip (its start and end). Standard library only.

    python3 chapters/09-convoy/original.py --cpu-threads 0,1,2 --window 0.2 --switch-interval 5
"""
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import harness  # noqa: E402

# The peer: echo every byte until end of file. Its own interpreter, its own GIL.
ECHO = """
import socket, sys
peer = socket.socket(fileno=int(sys.argv[1]))
while True:
    data = peer.recv(1)
    if not data:
        break
    peer.sendall(data)
"""


def start_peer():
    ours, theirs = socket.socketpair()
    peer = subprocess.Popen([sys.executable, "-c", ECHO, str(theirs.fileno())], pass_fds=[theirs.fileno()])
    theirs.close()
    return ours, peer


def burn(stop):
    """Pure Python arithmetic: the eval loop holds the GIL and checks for a drop request."""
    x = 0
    while not stop.is_set():
        for i in range(1000):
            x = (x + i) % 1000003
    return x


def round_trips(sock, window):
    """Round trips until the window is over: (how many, [(start, end), ...])."""
    trips, spans = 0, []
    end = time.perf_counter() + window
    while time.perf_counter() < end:
        start = time.perf_counter()
        sock.send(b"x")
        if not sock.recv(1):
            raise SystemExit("original.py: the echo peer stopped answering")
        spans.append((start, time.perf_counter()))
        trips += 1
    return trips, spans


def one_run(sock, cpu_threads, window, rep):
    stop = threading.Event()
    burners = [threading.Thread(target=burn, args=(stop,)) for _ in range(cpu_threads)]
    result = {}

    def io_thread():
        result["record"] = harness.timed(lambda w: round_trips(sock, w), 0, window)
        stop.set()

    io = threading.Thread(target=io_thread)
    t0 = time.perf_counter()
    for b in burners:
        b.start()
    io.start()
    io.join()
    for b in burners:
        b.join()
    wall = time.perf_counter() - t0
    record = result["record"]
    trips, spans = record["result"]
    # The harness's "running" rows carry one interval each: here, one round trip.
    record["result"] = (trips, [(start, end, -1) for start, end in spans])
    harness.report("threads", 1 + cpu_threads, rep, wall, [record], t0)
    sys.stdout.flush()


def main():
    def extra(parser):
        parser.add_argument("--cpu-threads", default="0,1", help="CPU-bound threads beside the I/O thread, a list")
        parser.add_argument("--window", type=float, default=0.2, help="seconds of round trips per run")

    args = harness.arguments(__doc__.splitlines()[0], extra)
    counts = [int(k) for k in args.cpu_threads.split(",")]
    sock, peer = start_peer()
    # The first answer comes only once the peer's interpreter has started: wait for it
    # here, not inside the first measurement.
    sock.send(b"x")
    sock.recv(1)
    harness.describe(window_s=args.window)
    try:
        for rep in range(args.reps):
            for k in counts:
                one_run(sock, k, args.window, rep)
    finally:
        sock.close()
        peer.wait(timeout=10)


if __name__ == "__main__":
    main()
