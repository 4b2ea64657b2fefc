# lwk/native.mk: backend interface, partition registry, native backend.
lwk_liblwk_la_SOURCES += \
	lwk/backend.c lwk/backend.h \
	lwk/fault.c lwk/fault.h \
	lwk/sysfile.c lwk/sysfile.h \
	lwk/registry.c lwk/registry.h \
	lwk/partition.c \
	lwk/holders.c \
	lwk/native.c lwk/native.h \
	lwk/native_plan.c \
	lwk/native_node.c \
	lwk/native_cg1.c \
	lwk/native_cg2.c \
	lwk/native_steer.c \
	lwk/native_huge.c \
	lwk/native_status.c
