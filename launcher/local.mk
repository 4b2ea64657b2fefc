# launcher: rules added by its owner
EXTRA_DIST += launcher/env.h
