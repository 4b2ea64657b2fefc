# lwk/backends.mk: the McKernel (IHK) and mOS backends. libihk is dlopened
# at run time when present: no link-time dependency.
lwk_liblwk_la_SOURCES += \
	lwk/cmd.c lwk/cmd.h \
	lwk/ihk.c lwk/ihk.h \
	lwk/mckernel.c lwk/mckernel.h lwk/mckernel_args.c lwk/mckernel_teardown.c \
	lwk/mos.c lwk/mos.h lwk/mos_spec.c
