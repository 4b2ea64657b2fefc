/* exec_floor: execs its arguments and nothing else, linked as lwkrun's
 * front is (configure: LWKRUN_FRONT_LDFLAGS). What any wrapper that execs
 * the program costs at least: the floor against which lwkrun_overhead -f
 * sets lwkrun's start.
 *
 *   exec_floor PROGRAM [ARGS...]
 */
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc > 1)
		execvp(argv[1], argv + 1);
	return 127;
}
