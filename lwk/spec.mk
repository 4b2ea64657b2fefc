# lwk/spec.mk: sources of this module group (lwk_liblwk_la_SOURCES += ...)
