#pragma once

// What several subcommands share: opening a repository, the acting user,
// options every command spells the same way.

#include <memory>
#include <string>

#include "cli/args.h"
#include "starlog/engine/event_store.h"

namespace starlog::cli {

OptionSpec JsonOption();
OptionSpec UserOption();
OptionSpec NoSyncOption();

// --user, else $STARLOG_USER, else the login name.
std::string ActingUser(const ParsedArgs& args);

// Opens the repository at positional 0 for writing (honouring --no-sync).
Result<std::unique_ptr<engine::EventStore>> OpenForWrite(const ParsedArgs& args);
// Opens the repository at positional 0 without the write lock.
Result<std::unique_ptr<engine::EventStore>> OpenForRead(const ParsedArgs& args);

}  // namespace starlog::cli
