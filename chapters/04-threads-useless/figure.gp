# chapter4.gp — "Multithreading is useless": time against threads, and a Gantt of requests.
sweep_modes = "gil-threads threads"
load "io_sweep.gp"
