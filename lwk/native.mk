# lwk/native.mk: backend interface, partition registry, native backend.
lwk_liblwk_la_SOURCES += \
	lwk/backend.c lwk/backend.h \
	lwk/native.c
