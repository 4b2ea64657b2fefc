# lwk/place.mk: topology (hwloc) and placement of LWK cores/memory and rank shares
lwk_liblwk_la_SOURCES += lwk/topo.c
lwk_liblwk_la_SOURCES += lwk/cores.c lwk/cores.h lwk/place.c lwk/share.c
