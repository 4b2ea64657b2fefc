/* plugin_version SO: prints what Slurm's plugin loader reads from a SPANK
 * plugin before it accepts it: plugin_version (major.minor must be Slurm's
 * own) and whether it sets slurm_spank_init_failure_mode (25.05+).
 * Read from the ELF file's dynamic symbols, not by loading it: a plugin
 * linked with -z now (Debian's hardening) cannot be loaded outside Slurm,
 * whose functions it calls. 64-bit ELF only. */
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const unsigned char *img;
static size_t img_len;

/* The bytes at virtual address v (from the section holding it), or NULL. */
static const void *at_vaddr(const Elf64_Ehdr *eh, Elf64_Addr v, size_t len)
{
	const Elf64_Shdr *sh = (const void *)(img + eh->e_shoff);
	int i;

	for (i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type == SHT_NOBITS || !sh[i].sh_addr)
			continue;
		if (v >= sh[i].sh_addr && v + len <= sh[i].sh_addr + sh[i].sh_size &&
		    sh[i].sh_offset + (v - sh[i].sh_addr) + len <= img_len)
			return img + sh[i].sh_offset + (v - sh[i].sh_addr);
	}
	return NULL;
}

/* The value of the defined dynamic symbol name, 4 bytes, into out. */
static int sym_u32(const Elf64_Ehdr *eh, const char *name, uint32_t *out)
{
	const Elf64_Shdr *sh = (const void *)(img + eh->e_shoff);
	int i;

	for (i = 0; i < eh->e_shnum; i++) {
		const Elf64_Sym *sym;
		const char *str;
		size_t n, k;

		if (sh[i].sh_type != SHT_DYNSYM || sh[i].sh_link >= eh->e_shnum)
			continue;
		sym = (const void *)(img + sh[i].sh_offset);
		str = (const char *)(img + sh[sh[i].sh_link].sh_offset);
		n = sh[i].sh_size / sizeof(*sym);
		for (k = 0; k < n; k++) {
			const void *p;

			if (sym[k].st_shndx == SHN_UNDEF || strcmp(str + sym[k].st_name, name))
				continue;
			p = at_vaddr(eh, sym[k].st_value, 4);
			if (!p)
				return -1;
			memcpy(out, p, 4);
			return 0;
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	const Elf64_Ehdr *eh;
	struct stat sb;
	uint32_t ver, mode;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: plugin_version SO\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &sb) || sb.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		fprintf(stderr, "plugin_version: cannot read %s\n", argv[1]);
		return 1;
	}
	img_len = (size_t)sb.st_size;
	img = mmap(NULL, img_len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (img == MAP_FAILED)
		return 1;
	eh = (const void *)img;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > img_len) {
		fprintf(stderr, "plugin_version: %s is not a 64-bit ELF file\n", argv[1]);
		return 1;
	}
	if (sym_u32(eh, "plugin_version", &ver)) {
		fprintf(stderr, "plugin_version: %s has no plugin_version\n", argv[1]);
		return 1;
	}
	printf("%u.%02u", ver >> 16, (ver >> 8) & 0xff);
	if (sym_u32(eh, "slurm_spank_init_failure_mode", &mode) == 0)
		printf(" init_failure_mode=%d", (int)mode);
	printf("\n");
	return 0;
}
