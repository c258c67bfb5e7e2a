/* machine.h — what machine the numbers came from (perfbook: keep every run with its machine). */
#ifndef TVP_MACHINE_H
#define TVP_MACHINE_H

typedef struct {
    char cpu_model[128];
    int cores;            /* online */
    char kernel[256];     /* uname -srm */
    char compiler[64];
    char date[32];        /* UTC, ISO 8601 */
    char revision[48];    /* git revision the program was built from */
    double memory_gib;
} machine_info;

void machine_describe(machine_info *m);
/* Memory the kernel could give now without swapping (MemAvailable in /proc/meminfo), in MiB; 0 if unknown. */
long machine_available_mib(void);

#endif
