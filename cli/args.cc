#include "cli/args.h"

#include <algorithm>

#include "starlog/codec/numbers.h"

namespace starlog::cli {

namespace {
constexpr std::string_view kUsageMarker = "usage error: ";
}  // namespace

Status UsageError(std::string_view message) {
  return Status::InvalidArgument(std::string(kUsageMarker) + std::string(message));
}

bool IsUsageError(const Status& s) {
  return s.IsInvalidArgument() && s.message().substr(0, kUsageMarker.size()) == kUsageMarker;
}

std::string_view UsageMessage(const Status& s) {
  std::string_view m = s.message();
  if (IsUsageError(s)) m.remove_prefix(kUsageMarker.size());
  return m;
}

Status AsUsageError(Status s) {
  if (!s.IsInvalidArgument() || IsUsageError(s)) return s;
  return UsageError(s.message());
}

std::optional<std::string> ParsedArgs::Get(const std::string& option) const {
  auto it = options_.find(option);
  if (it == options_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::string ParsedArgs::GetOr(const std::string& option, const std::string& fallback) const {
  return Get(option).value_or(fallback);
}

std::vector<std::string> ParsedArgs::GetAll(const std::string& option) const {
  auto it = options_.find(option);
  return it == options_.end() ? std::vector<std::string>() : it->second;
}

Result<std::optional<uint64_t>> ParsedArgs::GetUint(const std::string& option) const {
  auto v = Get(option);
  if (!v) return std::optional<uint64_t>();
  const std::optional<uint64_t> n = codec::ParseUint(*v);
  // At most 19 digits, as this always read: 20-digit values stay refused.
  if (!n || v->size() > 19) {
    return UsageError("--" + option + " takes a non-negative integer, not '" + *v + "'");
  }
  return n;
}

Result<ParsedArgs> ArgParser::Parse(const CommandSpec& spec, const std::vector<std::string>& argv) {
  ParsedArgs out;
  bool options_done = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (!options_done && word == "--") {
      options_done = true;
      continue;
    }
    // "-t": an option's short name; any other word with one dash ("-1", "-")
    // is a positional.
    auto short_opt =
        std::find_if(spec.options.begin(), spec.options.end(), [&](const OptionSpec& o) {
          return !options_done && word.size() == 2 && word[0] == '-' && o.short_name == word[1] &&
                 o.short_name != 0;
        });
    if (short_opt == spec.options.end() &&
        (options_done || word.size() < 2 || word.compare(0, 2, "--") != 0)) {
      out.positionals_.push_back(word);
      continue;
    }
    std::string name = short_opt != spec.options.end() ? short_opt->name : word.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    auto opt = std::find_if(spec.options.begin(), spec.options.end(),
                            [&](const OptionSpec& o) { return o.name == name; });
    if (opt == spec.options.end()) {
      return UsageError("unknown option --" + name + " for `starlog " + spec.name +
                        "` (see `starlog " + spec.name + " --help`)");
    }
    auto& values = out.options_[name];
    if (!values.empty() && !opt->repeatable) {
      return UsageError("--" + name + " given more than once");
    }
    if (opt->value_name.empty()) {
      if (inline_value) return UsageError("--" + name + " takes no value");
      values.emplace_back();
    } else if (opt->values > 1) {
      // Several words, all of them values (--timespan BEGIN END).
      if (inline_value || i + opt->values >= argv.size()) {
        return UsageError("--" + name + " takes " + std::to_string(opt->values) + " values (" +
                          opt->value_name + ")");
      }
      for (int k = 0; k < opt->values; ++k) values.push_back(argv[++i]);
    } else if (inline_value) {
      values.push_back(*inline_value);
    } else if (i + 1 < argv.size()) {
      values.push_back(argv[++i]);
    } else {
      return UsageError("--" + name + " needs a value (" + opt->value_name + ")");
    }
  }
  size_t required = 0;
  bool variadic = false;
  for (const PositionalSpec& p : spec.positionals) {
    if (!p.optional) ++required;
    if (p.variadic) variadic = true;
  }
  if (out.positionals_.size() < required) {
    const PositionalSpec& missing = spec.positionals[out.positionals_.size()];
    return UsageError("missing " + missing.name + " (see `starlog " + spec.name + " --help`)");
  }
  if (!variadic && out.positionals_.size() > spec.positionals.size()) {
    return UsageError("unexpected argument '" + out.positionals_[spec.positionals.size()] +
                      "' for `starlog " + spec.name + "`");
  }
  return out;
}

void PrintCommandHelp(const CommandSpec& spec, std::ostream& out) {
  out << "usage: starlog " << spec.name;
  for (const PositionalSpec& p : spec.positionals) {
    out << ' ' << (p.optional ? "[" : "") << p.name << (p.optional ? "]" : "");
  }
  if (!spec.options.empty()) out << " [options]";
  out << "\n\n" << spec.summary << "\n";
  if (!spec.description.empty()) out << "\n" << spec.description << "\n";
  if (!spec.positionals.empty()) {
    out << "\narguments:\n";
    for (const PositionalSpec& p : spec.positionals) {
      out << "  " << p.name << std::string(p.name.size() < 22 ? 22 - p.name.size() : 1, ' ')
          << p.help << "\n";
    }
  }
  out << "\noptions:\n";
  for (const OptionSpec& o : spec.options) {
    std::string left = (o.short_name != 0 ? std::string("-") + o.short_name + ", " : "") + "--" +
                       o.name + (o.value_name.empty() ? "" : " " + o.value_name);
    out << "  " << left << std::string(left.size() < 22 ? 22 - left.size() : 1, ' ') << o.help
        << (o.repeatable ? " (repeatable)" : "") << "\n";
  }
  out << "  --help                show this help\n";
  if (!spec.examples.empty()) {
    out << "\nexamples:\n";
    for (const std::string& e : spec.examples) out << "  " << e << "\n";
  }
}

}  // namespace starlog::cli
