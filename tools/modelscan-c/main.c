/* STUB main: replaced by the pickle-engine work (part 1). */
#include <stdio.h>
#include "scanner.h"

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "modelscan-c: not implemented yet\n");
	return MLS_EXIT_ERROR;
}
