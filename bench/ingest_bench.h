#pragma once

// Ingest of header-only FITS files (issue #18 item 7): LSSTCam raws as the
// built-in translator reads them, ingested in place (`--transfer direct`)
// and by copy, beside a raw cfitsio read of the same headers in the same
// run: what the translation, the records and the registration add to it.

#include <string>

#include "bench/bench_util.h"

namespace starlog::bench {

// 10,000 files (1,000 with "quick") in a folder under "scratch".
void BenchIngest(const std::string& scratch, bool quick, Report& report);

}  // namespace starlog::bench
