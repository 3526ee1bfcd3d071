/* Everything in common/, for tools' convenience.  Includes banned.h last. */
#ifndef MLS_COMMON_H
#define MLS_COMMON_H

#include "error.h"
#include "log.h"
#include "buf.h"
#include "path.h"
#include "walk.h"
#include "hash.h"
#include "limits.h"
#include "opt.h"
#include "report.h"
#include "archive.h"
#include "json.h"
#include "util.h"
#include "version.h"
#include "banned.h"

#endif
