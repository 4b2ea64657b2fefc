# spank: the SPANK plugin and its real-cluster tests.
EXTRA_DIST += tests/slurm/cluster tests/slurm/run tests/slurm/mpi_report.c

# Real Slurm cluster tests (root; starts and stops its own cluster).
check-slurm: all
	LWK_BUILDDIR=$(abs_top_builddir) $(SHELL) $(abs_top_srcdir)/tests/slurm/run
.PHONY: check-slurm
