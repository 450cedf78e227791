#pragma once

// What several subcommands share: opening a repository, the acting user,
// options every command spells the same way, and reading their values.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/args.h"
#include "starlog/codec/timespan.h"
#include "starlog/engine/artifact_files.h"
#include "starlog/engine/edits.h"
#include "starlog/engine/event_store.h"
#include "starlog/engine/registry_view.h"
#include "starlog/engine/where.h"
#include "starlog/service/client.h"
#include "starlog/service/writer.h"

namespace starlog::cli {

OptionSpec JsonOption();
OptionSpec UserOption();
OptionSpec NoSyncOption();
// --lock-timeout SECONDS: how long a writer waits for another to finish.
OptionSpec LockTimeoutOption();
// --service WHERE: the service to write through, on a socket or HOST:PORT.
OptionSpec ServiceOption();
// --act-for USER: make the edit for another user, if the policy's act-for
// role allows (the event records both).
OptionSpec ActForOption();
// --tls-ca, --token-file, --tls-cert, --tls-key: for --service HOST:PORT.
std::vector<OptionSpec> RemoteServiceOptions();
inline constexpr uint64_t kDefaultLockTimeoutSeconds = 60;
OptionSpec AsOfOption();
OptionSpec CollectionsOption();
OptionSpec WhereOption();
OptionSpec BindOption();  // --bind NAME=VALUE, for --where.
OptionSpec TimeOption();
OptionSpec TimespanOption();
// "options" followed by --find-all and the butler CLI's --find-first /
// --no-find-first; "what" says what --find-all finds. FindFirstFrom reads
// them: find-first unless --find-all or --no-find-first, both directions at
// once a usage error.
std::vector<OptionSpec> WithFindFirstOptions(std::vector<OptionSpec> options,
                                             const std::string& what);
Result<bool> FindFirstFrom(const ParsedArgs& args);
// The options DatasetQueryFrom and ViewAt read (--collections, --where,
// --bind, --time, --timespan, --as-of), followed by "more".
std::vector<OptionSpec> WithDatasetQueryOptions(std::vector<OptionSpec> more);

// --user, else $STARLOG_USER, else the login name.
std::string ActingUser(const ParsedArgs& args);

// Opens the repository at positional 0 for writing (honouring --no-sync),
// waiting for another writer up to --lock-timeout and saying so on "err"
// after a second.
Result<std::unique_ptr<engine::EventStore>> OpenForWrite(const ParsedArgs& args,
                                                         std::ostream* err = nullptr);
// Opens the repository at positional 0 without the write lock.
Result<std::unique_ptr<engine::EventStore>> OpenForRead(const ParsedArgs& args);

// A view as of --as-of (the head when absent).
Result<engine::RegistryView> ViewAt(const ParsedArgs& args, const engine::EventStore& store);

// --collections values, each split on commas. A usage error if none given
// and "required".
Result<std::vector<std::string>> Collections(const ParsedArgs& args, bool required = true);

// --bind values; a usage error for one that is not NAME=VALUE.
Result<engine::WhereBinds> Binds(const ParsedArgs& args);
// --where with its --bind values; a usage error if it does not parse.
Result<engine::WhereClause> Where(const ParsedArgs& args);

// A time as given on the command line: ISO 8601 (TAI for validity ranges,
// as the butler takes them) or integer nanoseconds.
Result<int64_t> ParseTime(const std::string& text);
// --time T as a one-nanosecond span, or --timespan BEGIN END ([BEGIN, END)),
// if either is given; a usage error if both are.
Result<std::optional<codec::Timespan>> TimeSpanOption(const ParsedArgs& args);
// A query for "dataset_type" in --collections, with --where (and --bind)
// and --time or --timespan; find-first, as DatasetQuery's default is.
Result<engine::DatasetQuery> DatasetQueryFrom(const ParsedArgs& args,
                                              const std::string& dataset_type);
// [--begin-date, --end-date), each end unbounded when absent.
Result<codec::Timespan> BeginEnd(const ParsedArgs& args);

// A collection's type, and a chain's children: "CHAINED [a, b]"; "-" for none.
std::string DescribeCollection(const std::optional<engine::CollectionInfo>& c);

// One indented line (no newline) naming a file's problem, path and detail
// escaped for a terminal.
std::string FileProblemLine(const engine::FileProblem& p);

// The contents of "path" ("-" reads standard input).
Result<std::string> ReadInput(const std::string& path);
// Whether "path" is JSON: --format json|csv, else a ".json" extension.
bool IsJsonInput(const ParsedArgs& args, const std::string& path);

// How every write command changes the repository at positional 0: "edit",
// applied as ActingUser(args), all of it or none, by its writer: this
// process, waiting for the lock (--lock-timeout), or, once there is one, the
// repository's service.
Result<engine::EditResult> Submit(const ParsedArgs& args, Io& io, const engine::Edit& edit);

// Submit's writer for a command that reads the repository to build its edit
// (a query's datasets, the universe to type a data ID), and the repository
// it reads. Written in this process, they are one open: the writer's own
// store, read at its head, with no other writer between the reading and the
// edit (a CLI process pays for each open it makes: the write-ahead logs
// replayed, every table file opened). Through the service, the repository
// opened read-only here. The local writer's lock is held from Open on, so a
// command does what takes long (a file's checksum, a question to the user)
// before it.
class EditTarget {
 public:
  static Result<EditTarget> Open(const ParsedArgs& args, Io& io);

  const engine::EventStore& store() const { return *store_; }
  // The repository at its head now.
  Result<engine::RegistryView> View() const { return store_->View(); }
  Result<engine::EditResult> Submit(const engine::Edit& edit) const { return write_(edit); }

 private:
  std::function<Result<engine::EditResult>(const engine::Edit&)> write_;
  std::shared_ptr<const engine::EventStore> store_;
};

// The writer Submit uses, as service::Writer::Open (or Through, for
// --service) chooses it from the command line: the service, or this
// process waiting for the lock.
Result<std::shared_ptr<service::Writer>> OpenServiceWriter(const ParsedArgs& args, Io& io);

// The service --service or $STARLOG_SERVICE names (a socket, or HOST:PORT
// with --tls-ca, --token-file or --tls-cert/--tls-key), connected; nullptr
// when neither names one. Usage errors for options that do not fit.
Result<std::unique_ptr<service::Client>> ConnectNamedService(const ParsedArgs& args);

// --lock-timeout in seconds (default kDefaultLockTimeoutSeconds, at most a day).
Result<uint64_t> LockTimeoutSeconds(const ParsedArgs& args);

// Prints what an edit did: "<what> (event N)", N its last event (the edit's
// own, however many other writers appended around it), or that it changed
// nothing.
void ReportEdit(Io& io, const engine::EditResult& result, const std::string& what);

}  // namespace starlog::cli
