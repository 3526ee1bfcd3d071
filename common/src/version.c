#include "mls/version.h"

const char *mls_version(void)
{
	return MLS_VERSION;
}
