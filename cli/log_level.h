#pragma once

// --log-level, as the butler's CLI spells it: [COMPONENT=]LEVEL, any case,
// given anywhere on the line. starlog has one logger, so a component name
// is accepted (the butler's scripts pass lsst.daf.butler=DEBUG) and the
// level applies to everything starlog says on stderr besides its errors:
// progress and the service's and replication's log lines at INFO, notes
// such as "waiting for the lock" at WARNING. The default is INFO.

#include <string_view>

#include "starlog/result.h"

namespace starlog::cli {

enum class LogLevel { kTrace, kDebug, kVerbose, kInfo, kWarning, kError, kCritical };

// "DEBUG", "lsst.daf.butler=debug", ...; a usage error for anything else.
Result<LogLevel> ParseLogLevel(std::string_view text);

}  // namespace starlog::cli
