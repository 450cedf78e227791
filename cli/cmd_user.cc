#include "cli/commands.h"
#include "cli/common.h"
#include "cli/table.h"
#include "starlog/codec/json_writer.h"
#include "starlog/codec/time_format.h"
#include "starlog/service/user_tokens.h"

namespace starlog::cli {

namespace {

Status Add(const ParsedArgs& args, Io& io) {
  if (args.positional_count() != 2) return UsageError("usage: user add PATH NAME");
  const std::string& name = args.positional(1);
  if (Status s = service::ValidateUserName(name); !s.ok()) return AsUsageError(s);
  const std::string token_file = args.GetOr("token-file", "");
  STARLOG_ASSIGN_OR_RETURN(const std::string token,
                           service::AddUser(args.positional(0), name, token_file));
  if (!token_file.empty()) {
    io.out << "issued a token for " << name << " in " << token_file
           << " (mode 0600): give it to them privately\n";
  } else {
    // Printed once: only its hash is kept.
    io.err << "the token for " << name << " (shown once; only its hash is kept):" << std::endl;
    io.out << token << "\n";
  }
  return Status::OK();
}

Status Remove(const ParsedArgs& args, Io& io) {
  if (args.positional_count() != 2) return UsageError("usage: user remove PATH NAME");
  STARLOG_RETURN_IF_ERROR(service::RemoveUser(args.positional(0), args.positional(1)));
  io.out << "removed the token of " << args.positional(1)
         << ": the service refuses it from its next connection\n";
  return Status::OK();
}

Status List(const ParsedArgs& args, Io& io) {
  if (args.positional_count() != 1) return UsageError("usage: user list PATH");
  STARLOG_ASSIGN_OR_RETURN(auto users, service::ListUsers(args.positional(0)));
  if (args.Has("json")) {
    codec::JsonWriter json;
    json.BeginArray();
    for (const auto& u : users) {
      json.BeginObject().Key("user").String(u.name).Key("added");
      json.String(codec::FormatIsoTime(u.added_ns, 0)).EndObject();
    }
    io.out << json.EndArray().str() << "\n";
    return Status::OK();
  }
  if (users.empty()) {
    io.out << "no user holds a token (starlog user add PATH NAME issues one)\n";
    return Status::OK();
  }
  Table table({"USER", "ADDED"});
  for (const auto& u : users) table.AddRow({u.name, codec::FormatIsoTime(u.added_ns, 0)});
  table.Print(io.out);
  return Status::OK();
}

Status Run(const ParsedArgs& args, Io& io) {
  const std::string& action = args.positional(0);
  ParsedArgs rest = args;
  rest.DropFirstPositional();
  if (rest.Has("token-file") && action != "add") return UsageError("--token-file is for user add");
  if (action == "add") return Add(rest, io);
  if (action == "remove") return Remove(rest, io);
  if (action == "list") return List(rest, io);
  return UsageError("unknown user action '" + action + "'; use add, remove or list");
}

}  // namespace

CommandSpec UserCommand() {
  return {
      .name = "user",
      .summary = "tokens for the service's remote clients: add, remove, list",
      .description =
          "Per-user tokens, with which remote clients prove who they are to the\n"
          "repository's service over TCP with TLS (serve --service-listen). Run as the\n"
          "service's account: the table is PATH/.starlog/tokens (mode 0600), and holds\n"
          "only each token's SHA-256 and when it was issued. Tokens are not events: they\n"
          "are secrets, and do not replicate.\n"
          "  add PATH NAME [--token-file OUT]  a fresh random token for NAME, written\n"
          "                                    to OUT (mode 0600, never overwritten)\n"
          "                                    or printed once; one token per user\n"
          "  remove PATH NAME                  the service refuses it from then on,\n"
          "                                    without a restart\n"
          "  list PATH [--json]                the users and when each was added\n"
          "NAME: 1 to 64 letters, digits and '._-', beginning with a letter, digit or\n"
          "'_' (it is the actor recorded, and u/NAME/ is its own).",
      .positionals = {{"ACTION", "add, remove or list"},
                      {"PATH", "repository folder"},
                      {"NAME", "the user (add, remove)", true}},
      .options = {{"token-file", "OUT",
                   "add: write the token to OUT (mode 0600) instead of printing it"},
                  JsonOption()},
      .examples = {"starlog user add /data/repo alice --token-file alice.token",
                   "starlog user list /data/repo", "starlog user remove /data/repo alice"},
      .run = Run,
  };
}

}  // namespace starlog::cli
