#pragma once

// Command-line parsing for `starlog` subcommands. Each command declares its
// positionals and options; anything else is an error that names it.

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/log_level.h"
#include "starlog/result.h"

namespace starlog::cli {

// A usage error: something wrong with the command line itself (an unknown or
// missing option, a bad choice, an unparsable number, time or where clause),
// as opposed to a request the repository refused or failed. RunCli exits 2
// for the first kind and 1 for the second. A usage error is InvalidArgument
// whose message carries a marker that RunCli strips when printing it.
Status UsageError(std::string_view message);
bool IsUsageError(const Status& s);
// The message of a usage error, without its marker.
std::string_view UsageMessage(const Status& s);
// "s" as a usage error if it is InvalidArgument; otherwise unchanged.
Status AsUsageError(Status s);
template <typename T>
Result<T> AsUsageError(Result<T> r) {
  if (r.ok()) return r;
  return AsUsageError(r.status());
}

struct OptionSpec {
  std::string name;        // Without the leading "--".
  std::string value_name;  // Empty: a flag that takes no value.
  std::string help;
  bool repeatable = false;
  int values = 1;  // How many words follow the option (--timespan BEGIN END: 2).
  // The values it takes, when they are a fixed few (for completion; the
  // command still checks what it is given).
  std::vector<std::string> choices = {};
  char short_name = 0;  // -t for --show-dataset-types, where the butler has one.
};

struct PositionalSpec {
  std::string name;  // "PATH", "NAME", "CHILDREN..."
  std::string help;
  bool optional = false;
  bool variadic = false;  // Takes every remaining positional (must be last).
};

class ParsedArgs {
 public:
  const std::vector<std::string>& positionals() const { return positionals_; }
  const std::string& positional(size_t i) const { return positionals_.at(i); }
  size_t positional_count() const { return positionals_.size(); }

  bool Has(const std::string& option) const { return options_.count(option) > 0; }
  std::optional<std::string> Get(const std::string& option) const;
  std::string GetOr(const std::string& option, const std::string& fallback) const;
  std::vector<std::string> GetAll(const std::string& option) const;
  // Removes positional 0 (a sub-action such as "create"), so the rest read
  // as they do for other commands.
  void DropFirstPositional() {
    if (!positionals_.empty()) positionals_.erase(positionals_.begin());
  }

  // Sets an option as if it had been given (for options every command takes).
  void Set(const std::string& option, const std::string& value) {
    options_[option].push_back(value);
  }

  // The option as an unsigned integer; a usage error naming it otherwise.
  Result<std::optional<uint64_t>> GetUint(const std::string& option) const;

 private:
  friend class ArgParser;
  std::vector<std::string> positionals_;
  std::map<std::string, std::vector<std::string>> options_;
};

struct Io {
  std::ostream& out;
  std::ostream& err;
  bool terminal = false;                 // Whether "err" is a terminal (progress is shown there).
  LogLevel log_level = LogLevel::kInfo;  // --log-level.
  // Whether messages of "level" are shown on "err".
  bool Shows(LogLevel level) const { return level >= log_level; }
};

struct CommandSpec {
  std::string name;
  // Other names it answers to: the Gen3 butler's, where its command of the
  // same use is named otherwise.
  std::vector<std::string> aliases = {};
  std::string summary;  // One line, for `starlog --help`.
  std::string description;
  std::vector<PositionalSpec> positionals;
  std::vector<OptionSpec> options;
  std::vector<std::string> examples;
  Status (*run)(const ParsedArgs& args, Io& io) = nullptr;
};

class ArgParser {
 public:
  // Parses "argv" (the words after the subcommand). Returns a usage error
  // naming an unknown option, a missing value or a missing positional.
  static Result<ParsedArgs> Parse(const CommandSpec& spec, const std::vector<std::string>& argv);
};

// The `--help` text of a command.
void PrintCommandHelp(const CommandSpec& spec, std::ostream& out);

}  // namespace starlog::cli
