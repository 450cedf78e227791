#include "cli/common.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

namespace starlog::cli {

OptionSpec JsonOption() { return {"json", "", "print JSON for scripts instead of a table"}; }
OptionSpec UserOption() {
  return {"user", "NAME", "act as NAME (default: $STARLOG_USER, else the login name)"};
}
OptionSpec NoSyncOption() {
  return {"no-sync", "", "do not fsync each commit (survives a process crash, not a power loss)"};
}

std::string ActingUser(const ParsedArgs& args) {
  if (auto u = args.Get("user")) return *u;
  if (const char* env = std::getenv("STARLOG_USER"); env != nullptr && *env != '\0') return env;
  if (const passwd* pw = getpwuid(geteuid()); pw != nullptr && pw->pw_name != nullptr) {
    return pw->pw_name;
  }
  if (const char* env = std::getenv("USER"); env != nullptr) return env;
  return "unknown";
}

Result<std::unique_ptr<engine::EventStore>> OpenForWrite(const ParsedArgs& args) {
  engine::StoreOptions options;
  options.sync = !args.Has("no-sync");
  return engine::EventStore::Open(args.positional(0), options);
}

Result<std::unique_ptr<engine::EventStore>> OpenForRead(const ParsedArgs& args) {
  engine::StoreOptions options;
  options.read_only = true;
  return engine::EventStore::Open(args.positional(0), options);
}

}  // namespace starlog::cli
