# chapter4.gp — "Multithreading is useless": time against threads, and a Gantt of requests.
claim = "Chapter 4: \"Multithreading is useless\""
sweep_modes = "gil-threads threads"
load "plots/io_sweep.gp"
