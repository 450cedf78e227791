#pragma once

// Options the replication commands share: the shared key, TLS files, and a
// flag raised by SIGINT/SIGTERM so long-running commands end cleanly.

#include <atomic>
#include <string>

#include "cli/args.h"
#include "starlog/replication/channel.h"

namespace starlog::cli {

OptionSpec KeyOption();
OptionSpec TlsCaOption();

// The key from --key FILE (required).
Result<std::string> SharedKey(const ParsedArgs& args);
// --tls-cert, --tls-key, --tls-ca.
replication::TlsOptions Tls(const ParsedArgs& args);

// Makes SIGINT and SIGTERM set the returned flag instead of killing the
// process (the second one kills it).
const std::atomic<bool>& StopOnSignal();

}  // namespace starlog::cli
