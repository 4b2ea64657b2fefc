# lwk/noise.mk: noise of LWK cores (lwk.ko's counters, else /proc deltas)
lwk_liblwk_la_SOURCES += lwk/noise.c lwk/noise.h
lwk_liblwk_la_SOURCES += lwk/report.c lwk/report.h
lwk_liblwk_la_SOURCES += lwk/irq.c lwk/irq.h lwk/proctable.c lwk/proctable.h
