# chapter5.gp — "Multiprocessing is bad for IO": time against processes and threads, and a Gantt.
sweep_modes = "gil-threads threads processes"
load "io_sweep.gp"
