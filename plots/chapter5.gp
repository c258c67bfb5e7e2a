# chapter5.gp — "Multiprocessing is bad for IO": time against processes and threads, and a Gantt.
claim = "Chapter 5: \"Multiprocessing is bad for IO\""
sweep_modes = "gil-threads threads processes"
load "plots/io_sweep.gp"
