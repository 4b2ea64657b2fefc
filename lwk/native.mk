# lwk/native.mk: sources of this module group (lwk_liblwk_la_SOURCES += ...)
