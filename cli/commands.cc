#include "cli/commands.h"

#include <algorithm>
#include <iomanip>
#include <set>
#include <string>

#include "cli/common.h"
#include "starlog/engine/event_store.h"
#include "starlog/replication/wire.h"
#include "starlog/service/protocol.h"

namespace starlog::cli {

namespace {

// Every command that writes through Submit or OpenForWrite
// (those with --no-sync, but for the ones that make or mend a repository
// their own way) also waits for the write lock (--lock-timeout) or sends
// its edit to a service (--service).
std::vector<CommandSpec> WithWriterOptions(std::vector<CommandSpec> commands) {
  static const std::set<std::string> own_open = {"create", "rebuild", "repair", "replicate"};
  for (CommandSpec& c : commands) {
    const bool writes = own_open.count(c.name) == 0 &&
                        std::any_of(c.options.begin(), c.options.end(),
                                    [](const OptionSpec& o) { return o.name == "no-sync"; });
    if (writes) {
      c.options.push_back(LockTimeoutOption());
      c.options.push_back(ServiceOption());
      for (OptionSpec& o : RemoteServiceOptions()) c.options.push_back(std::move(o));
      c.options.push_back(ActForOption());
    } else if (std::any_of(c.options.begin(), c.options.end(),
                           [](const OptionSpec& o) { return o.name == "service"; })) {
      // The read commands reach a service on TCP as the writers do.
      for (OptionSpec& o : RemoteServiceOptions()) c.options.push_back(std::move(o));
    }
  }
  return commands;
}

}  // namespace

const std::vector<CommandSpec>& AllCommands() {
  static const std::vector<CommandSpec> commands = WithWriterOptions({
      // The repository and its log.
      CreateCommand(),
      InfoCommand(),
      LogCommand(),
      // Writing the registry.
      RegisterDatasetTypeCommand(),
      RemoveDatasetTypeCommand(),
      InsertDimensionRecordsCommand(),
      CreateCollectionCommand(),
      RemoveCollectionCommand(),
      RemoveCollectionsCommand(),
      CollectionChainCommand(),
      RegisterDatasetsCommand(),
      IngestCommand(),
      AssociateCommand(),
      DisassociateCommand(),
      CertifyCalibrationsCommand(),
      DecertifyCalibrationsCommand(),
      PruneDatasetsCommand(),
      RemoveRunsCommand(),
      // Reading it.
      QueryCollectionsCommand(),
      QueryDatasetTypesCommand(),
      QueryDatasetsCommand(),
      QueryDataIdsCommand(),
      DefineVisitsCommand(),
      QueryDimensionRecordsCommand(),
      FindDatasetCommand(),
      PackCommand(),
      UnpackCommand(),
      LinkCommand(),
      ExportCommand(),
      ImportCommand(),
      TransferCommand(),
      WaitCommand(),
      // History and proof.
      SnapshotCommand(),
      PolicyCommand(),
      CheckConventionsCommand(),
      CompletionCommand(),
      DiffCommand(),
      DigestCommand(),
      RebuildCommand(),
      RepairCommand(),
      FsckCommand(),

      ServeCommand(),
      UserCommand(),
      ReplicateCommand(),
      StatusCommand(),
      VerifyCommand(),
  });
  return commands;
}

namespace {

void PrintOverview(std::ostream& out) {
  out << "usage: starlog COMMAND [ARGS...] [--help]\n\n"
         "starlog keeps the registry of an astronomical data repository as an append-only,\n"
         "checksummed event log. Commands:\n\n";
  for (const CommandSpec& c : AllCommands()) {
    out << "  " << std::left << std::setw(26) << c.name << c.summary;
    for (size_t i = 0; i < c.aliases.size(); ++i) {
      out << (i == 0 ? " (also: " : ", ") << c.aliases[i] << (i + 1 == c.aliases.size() ? ")" : "");
    }
    out << "\n";
  }
  out << "\nRun `starlog COMMAND --help` for the options of one command. Every command\n"
         "also takes --read-only: the repository is opened without the write lock, and\n"
         "any write is refused; and --log-level [COMPONENT=]LEVEL (CRITICAL, ERROR,\n"
         "WARNING, INFO (default), VERBOSE, DEBUG, TRACE): at WARNING no progress and no\n"
         "service or replication log lines, at ERROR no notes either.\n\n"
         "Exit status: 0 on success, 1 when the repository refused or the command failed,\n"
         "2 for a usage error (an unknown option, a missing argument or required option,\n"
         "a bad choice, an unparsable number, time or --where clause).\n";
}

// Takes --log-level [COMPONENT=]LEVEL (or --log-level=...) out of "args",
// wherever it is before a "--", as the butler's CLI takes it before or after
// the command; sets io.log_level. False, having said why, for a bad level.
bool TakeLogLevel(std::vector<std::string>& args, Io& io) {
  std::string log_level;
  for (size_t i = 0; i < args.size() && args[i] != "--";) {
    const std::string& a = args[i];
    const size_t words = a == "--log-level" ? 2 : a.starts_with("--log-level=") ? 1 : 0;
    if (words == 0) {
      ++i;
      continue;
    }
    if (words == 2 && i + 1 == args.size()) {
      io.err << "starlog: --log-level needs a value\n";
      return false;
    }
    log_level = words == 2 ? args[i + 1] : a.substr(a.find('=') + 1);
    args.erase(args.begin() + static_cast<std::ptrdiff_t>(i),
               args.begin() + static_cast<std::ptrdiff_t>(i + words));
  }
  if (log_level.empty()) return true;
  Result<LogLevel> level = ParseLogLevel(log_level);
  if (!level.ok()) {
    io.err << "starlog: " << UsageMessage(level.status()) << "\n";
    return false;
  }
  io.log_level = *level;
  return true;
}

}  // namespace

int RunCli(const std::vector<std::string>& given, Io& io) {
  std::vector<std::string> args = given;
  if (!TakeLogLevel(args, io)) return 2;
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    PrintOverview(args.empty() ? io.err : io.out);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    io.out << "starlog " << STARLOG_VERSION << " (repository format " << engine::kFormatVersion
           << ", service protocol " << service::kServiceProtocolVersion << ", replication protocol "
           << replication::kProtocolVersion << ")\n";
    return 0;
  }
  const CommandSpec* command = nullptr;
  for (const CommandSpec& c : AllCommands()) {
    if (c.name == args[0] ||
        std::find(c.aliases.begin(), c.aliases.end(), args[0]) != c.aliases.end()) {
      command = &c;
    }
  }
  if (command == nullptr) {
    io.err << "starlog: unknown command '" << args[0] << "' (see `starlog --help`)\n";
    return 2;
  }
  // --read-only, accepted by every command: writes are then refused.
  std::vector<std::string> rest(args.begin() + 1, args.end());
  const bool read_only = std::erase(rest, std::string("--read-only")) > 0;
  for (const std::string& a : rest) {
    if (a == "--") break;
    if (a == "--help" || a == "-h") {
      PrintCommandHelp(*command, io.out);
      return 0;
    }
  }
  Result<ParsedArgs> parsed = ArgParser::Parse(*command, rest);
  Status s = parsed.status();
  if (s.ok()) {
    if (read_only) parsed->Set("read-only", "");
    if (!io.Shows(LogLevel::kWarning)) parsed->Set("quiet", "");
    s = command->run(*parsed, io);
  }
  if (s.ok()) return 0;
  if (IsUsageError(s)) {
    const std::string_view message = UsageMessage(s);
    io.err << "starlog " << command->name << ": " << message;
    if (message.find("--help") == std::string_view::npos) {
      io.err << " (see `starlog " << command->name << " --help`)";
    }
    io.err << "\n";
    return 2;
  }
  io.err << "starlog " << command->name << ": " << s.ToString() << "\n";
  return 1;
}

}  // namespace starlog::cli
