#ifndef MLS_VERSION_H
#define MLS_VERSION_H
/* MLS_VERSION comes from CMake's project(VERSION); this fallback keeps IDEs happy. */
#ifndef MLS_VERSION
#define MLS_VERSION "0.0.0"
#endif
const char *mls_version(void);
#endif
