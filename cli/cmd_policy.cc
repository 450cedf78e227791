#include <algorithm>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/json_output.h"
#include "cli/table.h"
#include "starlog/engine/policy.h"

namespace starlog::cli {

namespace {

Status Show(const ParsedArgs& args, Io& io) {
  STARLOG_ASSIGN_OR_RETURN(auto store, OpenForRead(args));
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, ViewAt(args, *store));
  STARLOG_ASSIGN_OR_RETURN(auto policy, view.Policy());
  if (!policy) {
    io.out << "no access policy: every user may write everything (starlog policy init sets "
              "DMTN-167's)\n";
    return Status::OK();
  }
  if (args.Has("json")) {
    io.out << PolicyJson(*policy) << "\n";
    return Status::OK();
  }
  Table roles({"ROLE", "USERS"});
  for (const auto& r : policy->roles) {
    std::string users;
    for (const auto& u : r.users) users += (users.empty() ? "" : ", ") + u;
    roles.AddRow({r.name, users.empty() ? "-" : users});
  }
  roles.Print(io.out);
  io.out << "\n";
  Table rules({"COLLECTIONS", "WRITABLE BY"});
  for (const auto& r : policy->rules) {
    std::string who;
    for (const auto& role : r.roles) who += (who.empty() ? "" : ", ") + role;
    rules.AddRow({r.pattern, who});
  }
  rules.AddRow({"u/<user>/*", "<user> only"});
  rules.AddRow({"anything else", "admin"});
  rules.Print(io.out);
  return Status::OK();
}

Status Write(const ParsedArgs& args, Io& io, codec::SetPolicy policy, const std::string& what) {
  STARLOG_ASSIGN_OR_RETURN(auto result, Submit(args, io, engine::AppendEdit{{std::move(policy)}}));
  ReportEdit(io, result, what);
  return Status::OK();
}

Status Grant(const ParsedArgs& args, Io& io, bool grant) {
  if (args.positional_count() != 3) {
    return UsageError(std::string("usage: policy ") + (grant ? "grant" : "revoke") +
                      " PATH ROLE USER");
  }
  const std::string& role = args.positional(1);
  const std::string& user = args.positional(2);
  STARLOG_ASSIGN_OR_RETURN(auto result,
                           Submit(args, io, engine::PolicyRoleEdit{role, user, grant}));
  ReportEdit(io, result,
             (grant ? "granted " : "revoked ") + role + (grant ? " to " : " from ") + user);
  return Status::OK();
}

Status Run(const ParsedArgs& args, Io& io) {
  const std::string& action = args.positional(0);
  ParsedArgs rest = args;
  rest.DropFirstPositional();
  if (action == "show") return Show(rest, io);
  if (action == "grant") return Grant(rest, io, true);
  if (action == "revoke") return Grant(rest, io, false);
  if (action == "init") {
    return Write(rest, io, engine::DefaultPolicy(ActingUser(rest)),
                 "set the DMTN-167 policy, with " + ActingUser(rest) + " as admin");
  }
  if (action == "set") {
    if (rest.positional_count() != 2) return UsageError("usage: policy set PATH FILE");
    STARLOG_ASSIGN_OR_RETURN(std::string text, ReadInput(rest.positional(1)));
    STARLOG_ASSIGN_OR_RETURN(codec::SetPolicy policy, engine::ParsePolicy(text));
    return Write(rest, io, std::move(policy), "set the policy from " + rest.positional(1));
  }
  return UsageError("unknown policy action '" + action + "'; use show, init, set, grant or revoke");
}

}  // namespace

CommandSpec PolicyCommand() {
  return {
      .name = "policy",
      .summary = "who may write which collections: show, init, set, grant, revoke",
      .description =
          "The access policy is data in the log (it replicates and has history): roles\n"
          "granted to users, and rules mapping collection patterns to the roles that may\n"
          "write them; the first rule that matches decides. Admins may write anything\n"
          "outside u/ and alone change the policy; u/<user>/... is <user>'s only, admins\n"
          "included (an admin cleans it up as <user> with --act-for, which the log\n"
          "records); shared chains may not point into u/. New repositories start with\n"
          "DMTN-167's policy, the creator as admin.\n"
          "  show PATH                 roles and rules (--as-of for the past, --json)\n"
          "  init PATH                 set DMTN-167's policy (for a repository without one)\n"
          "  set PATH FILE             lines 'role NAME USER,...' and 'rule PATTERN ROLE,...'\n"
          "  grant|revoke PATH ROLE USER",
      .positionals = {{"ACTION", "show, init, set, grant or revoke"},
                      {"PATH", "repository folder"},
                      {"ARGS...", "FILE for set; ROLE USER for grant and revoke", true, true}},
      .options = {AsOfOption(), JsonOption(), UserOption(), NoSyncOption()},
      .examples = {"starlog policy show repo", "starlog policy grant repo operators alice",
                   "starlog policy revoke repo cpp bob", "starlog policy set repo policy.txt"},
      .run = Run,
  };
}

}  // namespace starlog::cli
