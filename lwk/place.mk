# lwk/place.mk: topology (hwloc), placement of LWK cores/memory, rank shares and plans
lwk_liblwk_la_SOURCES += lwk/topo.c lwk/topo_cache.c lwk/topo_cache.h
lwk_liblwk_la_SOURCES += lwk/cores.c lwk/cores.h lwk/place.c lwk/place_irq.c lwk/share.c
lwk_liblwk_la_SOURCES += lwk/rank.c lwk/rank.h lwk/env.c
