#pragma once

// Command-line parsing for `starlog` subcommands. Each command declares its
// positionals and options; anything else is an error that names it.

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "starlog/result.h"

namespace starlog::cli {

struct OptionSpec {
  std::string name;        // Without the leading "--".
  std::string value_name;  // Empty: a flag that takes no value.
  std::string help;
  bool repeatable = false;
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

  // The option as an unsigned integer; InvalidArgument naming it otherwise.
  Result<std::optional<uint64_t>> GetUint(const std::string& option) const;

 private:
  friend class ArgParser;
  std::vector<std::string> positionals_;
  std::map<std::string, std::vector<std::string>> options_;
};

struct Io {
  std::ostream& out;
  std::ostream& err;
  bool terminal = false;  // Whether "err" is a terminal (progress is shown there).
};

struct CommandSpec {
  std::string name;
  std::string summary;  // One line, for `starlog --help`.
  std::string description;
  std::vector<PositionalSpec> positionals;
  std::vector<OptionSpec> options;
  std::vector<std::string> examples;
  Status (*run)(const ParsedArgs& args, Io& io) = nullptr;
};

class ArgParser {
 public:
  // Parses "argv" (the words after the subcommand). Returns InvalidArgument
  // naming an unknown option, a missing value or a missing positional.
  static Result<ParsedArgs> Parse(const CommandSpec& spec, const std::vector<std::string>& argv);
};

// The `--help` text of a command.
void PrintCommandHelp(const CommandSpec& spec, std::ostream& out);

}  // namespace starlog::cli
