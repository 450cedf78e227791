#include "cli/common.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>

#include "starlog/codec/numbers.h"
#include "starlog/codec/text.h"
#include "starlog/codec/time_format.h"
#include "starlog/engine/as_of.h"
#include "starlog/engine/repo_paths.h"
#include "starlog/service/client.h"
#include "starlog/service/user_tokens.h"
#include "starlog/service/writer.h"

namespace starlog::cli {

OptionSpec JsonOption() { return {"json", "", "print JSON for scripts instead of a table"}; }
OptionSpec UserOption() {
  return {"user", "NAME", "act as NAME (default: $STARLOG_USER, else the login name)"};
}
OptionSpec NoSyncOption() {
  return {"no-sync", "", "do not fsync each commit (survives a process crash, not a power loss)"};
}
OptionSpec AsOfOption() {
  return {"as-of", "POINT", "answer as of a sequence number, a UTC time or a snapshot name"};
}
OptionSpec CollectionsOption() {
  return {"collections", "C[,C...]", "collections to search, in order (names or globs)", true};
}
OptionSpec WhereOption() {
  return {"where", "EXPR",
          "constraints in the butler's language, e.g. \"instrument = 'HSC' AND "
          "(detector IN (1..8) OR detector = 50) AND NOT exposure.observation_type = 'bias'\" "
          "(see README: --where)"};
}
std::vector<OptionSpec> WithFindFirstOptions(std::vector<OptionSpec> options,
                                             const std::string& what) {
  options.push_back({"find-all", "", what});
  options.push_back({"no-find-first", "", "the same, as the butler's CLI spells it"});
  options.push_back(
      {"find-first", "", "only the first match per data ID along the path (the default)"});
  return options;
}

Result<bool> FindFirstFrom(const ParsedArgs& args) {
  const bool all = args.Has("find-all") || args.Has("no-find-first");
  if (all && args.Has("find-first")) {
    return UsageError("--find-first and --find-all (--no-find-first) contradict each other");
  }
  return !all;
}

OptionSpec BindOption() {
  return {"bind", "NAME=VALUE",
          "a value for NAME (or :NAME) in --where: an integer if it is one, else text; text "
          "where a time is expected is read as a time (2013-06-17T13:30:00, T'56460.5') or, "
          "for OVERLAPS, a timespan (\"(T'2013-06-17', NULL)\")",
          true};
}
OptionSpec TimeOption() {
  return {"time", "T", "for CALIBRATION collections: the time (TAI, ISO 8601 or ns)"};
}
OptionSpec TimespanOption() {
  return {"timespan", "BEGIN END",
          "for CALIBRATION collections: a span [BEGIN, END) (TAI); one range must cover it", false,
          2};
}

std::vector<OptionSpec> WithDatasetQueryOptions(std::vector<OptionSpec> more) {
  std::vector<OptionSpec> options = {CollectionsOption(), WhereOption(),    BindOption(),
                                     TimeOption(),        TimespanOption(), AsOfOption()};
  options.insert(options.end(), std::make_move_iterator(more.begin()),
                 std::make_move_iterator(more.end()));
  return options;
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

OptionSpec ServiceOption() {
  return {"service", "WHERE",
          "write through the service at WHERE: a socket (unix:PATH, or any path with a '/'), "
          "else HOST:PORT over TLS (default: $STARLOG_SERVICE, else the repository's own "
          "socket, if a service answers there)"};
}

std::vector<OptionSpec> RemoteServiceOptions() {
  return {{"tls-ca", "FILE",
           "with --service HOST:PORT: the service's certificate must chain to one in FILE "
           "(PEM; default: $STARLOG_TLS_CA, else the system's roots)"},
          {"token-file", "FILE",
           "with --service HOST:PORT: the token `starlog user add` issued you (default: "
           "$STARLOG_TOKEN_FILE; mode 0600)"},
          {"tls-cert", "FILE",
           "with --service HOST:PORT: your client certificate (PEM), instead "
           "of a token"},
          {"tls-key", "FILE", "the client certificate's private key (PEM)"}};
}

OptionSpec ActForOption() {
  return {"act-for", "USER",
          "make the edit for USER, as a member of the policy's act-for role (the event "
          "records both)"};
}

OptionSpec LockTimeoutOption() {
  return {"lock-timeout", "SECONDS",
          "wait this long for another writer to finish (default " +
              std::to_string(kDefaultLockTimeoutSeconds) + "; 0 fails at once)"};
}

Result<uint64_t> LockTimeoutSeconds(const ParsedArgs& args) {
  uint64_t seconds = kDefaultLockTimeoutSeconds;
  if (args.Has("lock-timeout")) {
    STARLOG_ASSIGN_OR_RETURN(auto given, args.GetUint("lock-timeout"));
    if (given) seconds = *given;
  }
  if (seconds > 86'400) return UsageError("--lock-timeout takes at most 86400 seconds");
  return seconds;
}

Result<std::unique_ptr<engine::EventStore>> OpenForWrite(const ParsedArgs& args,
                                                         std::ostream* err) {
  engine::StoreOptions options;
  options.sync = !args.Has("no-sync");
  options.read_only = args.Has("read-only");  // Every write is then refused.
  STARLOG_ASSIGN_OR_RETURN(const uint64_t seconds, LockTimeoutSeconds(args));
  options.lock_timeout = std::chrono::seconds(seconds);
  const std::string root = args.positional(0);
  std::ostream* to = err != nullptr ? err : &std::cerr;
  if (args.Has("quiet")) to = nullptr;  // --log-level ERROR or above.
  options.on_lock_wait = [to, root, seconds] {
    if (to == nullptr) return;
    *to << "waiting for " << root << ": another process is writing to it (up to " << seconds
        << " s, --lock-timeout)" << std::endl;
  };
  return engine::EventStore::Open(root, options);
}

Result<std::unique_ptr<engine::EventStore>> OpenForRead(const ParsedArgs& args) {
  engine::StoreOptions options;
  options.read_only = true;
  return engine::EventStore::Open(args.positional(0), options);
}

Result<engine::RegistryView> ViewAt(const ParsedArgs& args, const engine::EventStore& store) {
  uint64_t as_of = engine::kAtHead;
  if (auto point = args.Get("as-of")) {
    STARLOG_ASSIGN_OR_RETURN(as_of, engine::ResolveAsOf(store, *point));
  }
  return store.View(as_of);
}

Result<std::vector<std::string>> Collections(const ParsedArgs& args, bool required) {
  std::vector<std::string> out;
  for (const std::string& value : args.GetAll("collections")) {
    std::stringstream in(value);
    std::string item;
    while (std::getline(in, item, ',')) {
      if (!item.empty()) out.push_back(item);
    }
  }
  if (out.empty() && required) {
    return UsageError("give the collections to search with --collections");
  }
  return out;
}

Result<engine::WhereBinds> Binds(const ParsedArgs& args) {
  engine::WhereBinds binds;
  for (const std::string& b : args.GetAll("bind")) {
    const size_t eq = b.find('=');
    const std::string name = b.substr(0, eq);
    const bool identifier =
        !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_') &&
        std::all_of(name.begin(), name.end(),
                    [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
    if (eq == std::string::npos || !identifier) {
      return UsageError("--bind takes NAME=VALUE with NAME a name such as visit_id, not '" + b +
                        "'");
    }
    if (!binds.emplace(name, engine::ParseBindValue(b.substr(eq + 1))).second) {
      return UsageError("--bind " + name + " given more than once");
    }
  }
  return binds;
}

Result<engine::WhereClause> Where(const ParsedArgs& args) {
  STARLOG_ASSIGN_OR_RETURN(engine::WhereBinds binds, Binds(args));
  // A clause that does not parse is wrong on the command line; one naming
  // what the repository's dimensions lack is refused by the query (exit 1).
  return AsUsageError(engine::WhereClause::Parse(args.GetOr("where", ""), binds));
}

Result<int64_t> ParseTime(const std::string& text) {
  // Integer nanoseconds: digits with at most a leading minus. Anything else is
  // an ISO time ("2024-01-01" has dashes inside, so it is a date).
  if (const std::optional<int64_t> ns = codec::ParseInt(text)) return *ns;
  return codec::ParseIsoTime(text);
}

Result<std::optional<codec::Timespan>> TimeSpanOption(const ParsedArgs& args) {
  if (args.Has("timespan")) {
    if (args.Has("time")) return UsageError("give --time or --timespan, not both");
    const std::vector<std::string> ends = args.GetAll("timespan");
    STARLOG_ASSIGN_OR_RETURN(const int64_t begin, AsUsageError(ParseTime(ends.at(0))));
    STARLOG_ASSIGN_OR_RETURN(const int64_t end, AsUsageError(ParseTime(ends.at(1))));
    if (end < begin) return UsageError("--timespan: END must not come before BEGIN");
    const codec::Timespan span = codec::ButlerTimespan(begin, end);
    if (span.IsEmpty()) return UsageError("--timespan: no time the butler represents is in it");
    return std::optional<codec::Timespan>(span);
  }
  auto t = args.Get("time");
  if (!t) return std::optional<codec::Timespan>();
  STARLOG_ASSIGN_OR_RETURN(int64_t ns, AsUsageError(ParseTime(*t)));
  return std::optional<codec::Timespan>(codec::Timespan{ns, ns + 1});
}

Result<engine::DatasetQuery> DatasetQueryFrom(const ParsedArgs& args,
                                              const std::string& dataset_type) {
  engine::DatasetQuery query;
  query.dataset_type = dataset_type;
  STARLOG_ASSIGN_OR_RETURN(query.collections, Collections(args));
  STARLOG_ASSIGN_OR_RETURN(query.where, Where(args));
  STARLOG_ASSIGN_OR_RETURN(query.validity, TimeSpanOption(args));
  return query;
}

std::string DescribeCollection(const std::optional<engine::CollectionInfo>& c) {
  if (!c) return "-";
  std::string out(codec::CollectionTypeName(c->type));
  if (c->type == codec::CollectionType::kChained) {
    out += " [";
    for (size_t i = 0; i < c->children.size(); ++i) out += (i ? ", " : "") + c->children[i];
    out += "]";
  }
  return out;
}

std::string FileProblemLine(const engine::FileProblem& p) {
  return "  " + std::string(engine::FileProblemName(p.kind)) + ": " +
         codec::Printable(p.artifact.path) + " (" + codec::Printable(p.detail) + ")";
}

Result<codec::Timespan> BeginEnd(const ParsedArgs& args) {
  int64_t begin = codec::kUnboundedBegin;
  int64_t end = codec::kUnboundedEnd;
  if (auto b = args.Get("begin-date")) {
    STARLOG_ASSIGN_OR_RETURN(begin, AsUsageError(ParseTime(*b)));
  }
  if (auto e = args.Get("end-date")) {
    STARLOG_ASSIGN_OR_RETURN(end, AsUsageError(ParseTime(*e)));
  }
  if (end < begin) return UsageError("--begin-date must not come after --end-date");
  // As the butler: clamped to its range; [t, t] the instant t.
  const codec::Timespan span = codec::ButlerTimespan(begin, end);
  if (span.IsEmpty()) {
    return UsageError(
        "--begin-date and --end-date hold no time the butler represents "
        "(1970-01-01 to 2100-01-01 TAI)");
  }
  return span;
}

Result<std::string> ReadInput(const std::string& path) {
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path);
  text << in.rdbuf();
  return text.str();
}

bool IsJsonInput(const ParsedArgs& args, const std::string& path) {
  if (auto f = args.Get("format")) return *f == "json";
  return path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
}

namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// Whether --service or $STARLOG_SERVICE ("named") is a TCP address rather
// than a socket: "unix:PATH" and anything with a '/' is a socket (the rule a
// path and HOST:PORT cannot both satisfy). The client options of TCP on a
// socket are a usage error: nothing would use them.
Result<bool> IsRemote(const ParsedArgs& args, const std::string& named) {
  auto address = service::ParseServiceAddress(named);
  if (!address.ok()) return UsageError("--service " + std::string(address.status().message()));
  if (!address->tcp) {
    for (const char* option : {"tls-ca", "token-file", "tls-cert", "tls-key"}) {
      if (args.Has(option)) {
        return UsageError(std::string("--") + option +
                          " is for a service on TCP (--service HOST:PORT), not on a socket");
      }
    }
  }
  return address->tcp;
}

// Whether the service "named" connected to ("client") serves the repository
// at "root": a command must not write or read another repository than the
// one its PATH names. A PATH that holds no repository here is only the
// repository's name (a client on another host), and not checked.
Status CheckServes(const service::Client& client, const std::string& named,
                   const std::string& root) {
  std::error_code ec;
  if (!std::filesystem::is_directory(std::filesystem::path(root) / engine::kPrivateFolder, ec)) {
    return Status::OK();
  }
  engine::StoreOptions read_only;
  read_only.read_only = true;
  auto store = engine::EventStore::Open(root, read_only);
  if (!store.ok()) return Status::OK();  // Unreadable here: the service's answers decide.
  if ((*store)->repository_id() == client.repository_id()) return Status::OK();
  return Status::InvalidArgument("the service at " + named + " serves repository " +
                                 client.repository_id().ToString() + ", not " + root +
                                 " (repository " + (*store)->repository_id().ToString() +
                                 "): name the service of " + root + ", or its PATH");
}

// How to reach "address" and prove who this user is: a token (--token-file,
// $STARLOG_TOKEN_FILE) or a client certificate (--tls-cert, --tls-key).
Result<service::RemoteOptions> RemoteOptionsFor(const ParsedArgs& args,
                                                const std::string& address) {
  service::RemoteOptions options;
  options.address = address;
  options.ca_file = args.GetOr("tls-ca", Env("STARLOG_TLS_CA"));
  options.cert_file = args.GetOr("tls-cert", "");
  options.key_file = args.GetOr("tls-key", "");
  if (options.cert_file.empty() != options.key_file.empty()) {
    return UsageError("--tls-cert and --tls-key go together");
  }
  std::string token_file = args.GetOr("token-file", "");
  // A certificate given on the command line is meant: an exported token
  // file does not override it.
  if (token_file.empty() && options.cert_file.empty()) token_file = Env("STARLOG_TOKEN_FILE");
  if (!token_file.empty()) {
    STARLOG_ASSIGN_OR_RETURN(options.token, service::ReadTokenFile(token_file));
  }
  if (options.token.empty() && options.cert_file.empty()) {
    return UsageError(
        "a service on TCP needs to know who you are: --token-file FILE (or "
        "$STARLOG_TOKEN_FILE), or --tls-cert FILE --tls-key FILE");
  }
  return options;
}

// Applies edits to the repository, wherever it is written.
using WriterFn = std::function<Result<engine::EditResult>(const engine::Edit&)>;

// A command's writer, and the store it writes when that is in this process
// (null through the service).
struct OpenedWriter {
  WriterFn write;
  std::shared_ptr<engine::EventStore> local;
};

// --read-only: this process opens the repository read-only, so the store
// refuses the edit with its own words.
Result<OpenedWriter> ReadOnlyWriter(const ParsedArgs& args, Io& io) {
  STARLOG_ASSIGN_OR_RETURN(std::shared_ptr<engine::EventStore> store, OpenForWrite(args, &io.err));
  return OpenedWriter{[store, actor = ActingUser(args)](const engine::Edit& edit) {
                        return engine::ApplyEdit(*store, edit, actor);
                      },
                      store};
}

}  // namespace

Result<std::shared_ptr<service::Writer>> OpenServiceWriter(const ParsedArgs& args, Io& io) {
  service::WriterOptions options;
  options.user = args.Get("user");
  options.act_for = args.GetOr("act-for", "");
  options.sync = !args.Has("no-sync");
  STARLOG_ASSIGN_OR_RETURN(const uint64_t seconds, LockTimeoutSeconds(args));
  options.lock_timeout = std::chrono::seconds(seconds);
  const std::string root = args.positional(0);
  std::ostream* to = args.Has("quiet") ? nullptr : &io.err;
  options.on_lock_wait = [to, root, seconds] {
    if (to == nullptr) return;
    *to << "waiting for " << root << ": another process is writing to it (up to " << seconds
        << " s, --lock-timeout)" << std::endl;
  };
  STARLOG_ASSIGN_OR_RETURN(std::unique_ptr<service::Client> named, ConnectNamedService(args));
  std::unique_ptr<service::Writer> writer;
  if (named != nullptr) {
    STARLOG_ASSIGN_OR_RETURN(writer, service::Writer::Through(std::move(named), options));
  } else {
    STARLOG_ASSIGN_OR_RETURN(writer, service::Writer::Open(root, options));
  }
  if (writer->ignored_environment_user()) {
    io.err << "starlog: $STARLOG_USER is ignored: the repository's service records you as "
           << codec::Quoted(writer->user()) << std::endl;
  }
  return std::shared_ptr<service::Writer>(std::move(writer));
}

namespace {

Result<OpenedWriter> OpenWriter(const ParsedArgs& args, Io& io) {
  if (args.Has("read-only")) return ReadOnlyWriter(args, io);
  STARLOG_ASSIGN_OR_RETURN(std::shared_ptr<service::Writer> writer, OpenServiceWriter(args, io));
  return OpenedWriter{[writer](const engine::Edit& edit) { return writer->Apply(edit); },
                      writer->store()};
}

}  // namespace

Result<std::unique_ptr<service::Client>> ConnectNamedService(const ParsedArgs& args) {
  std::string named = Env("STARLOG_SERVICE");
  if (auto where = args.Get("service")) named = *where;
  if (named.empty()) return std::unique_ptr<service::Client>();
  STARLOG_ASSIGN_OR_RETURN(const bool remote, IsRemote(args, named));
  service::RemoteOptions options;
  if (remote) {
    STARLOG_ASSIGN_OR_RETURN(options, RemoteOptionsFor(args, named));
  }
  STARLOG_ASSIGN_OR_RETURN(std::unique_ptr<service::Client> client,
                           service::ConnectTo(named, options));
  STARLOG_RETURN_IF_ERROR(CheckServes(*client, named, args.positional(0)));
  return client;
}

Result<engine::EditResult> Submit(const ParsedArgs& args, Io& io, const engine::Edit& edit) {
  STARLOG_ASSIGN_OR_RETURN(OpenedWriter writer, OpenWriter(args, io));
  return writer.write(edit);
}

Result<EditTarget> EditTarget::Open(const ParsedArgs& args, Io& io) {
  STARLOG_ASSIGN_OR_RETURN(OpenedWriter writer, OpenWriter(args, io));
  EditTarget target;
  target.write_ = std::move(writer.write);
  if (writer.local != nullptr) {
    target.store_ = std::move(writer.local);
  } else {
    STARLOG_ASSIGN_OR_RETURN(target.store_, OpenForRead(args));
  }
  return target;
}

void ReportEdit(Io& io, const engine::EditResult& result, const std::string& what) {
  if (!result.appended()) {
    io.out << what << ": already so, nothing changed\n";
  } else {
    io.out << what << " (event " << result.head.sequence << ")\n";
  }
}

}  // namespace starlog::cli
