#include "starlog/engine/policy.h"

#include <algorithm>
#include <sstream>

#include "starlog/codec/config_lines.h"
#include "starlog/engine/glob.h"
#include "starlog/engine/names.h"

namespace starlog::engine {

namespace {

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

std::string JoinCommas(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

}  // namespace

codec::SetPolicy DefaultPolicy(const std::string& admin_user) {
  codec::SetPolicy p;
  p.roles = {
      {kAdminRole, {admin_user}}, {"operators", {}}, {"cpp", {}}, {"refcats", {}}, {"skymaps", {}}};
  p.rules = {
      {"*/raw/all", {"operators"}}, {"*/raw", {"operators"}},      {"*/raw/*", {"operators"}},
      {"runs/*", {"operators"}},    {"*/runs/*", {"operators"}},   {"*/calib", {"cpp"}},
      {"*/calib/*", {"cpp"}},       {"refcats", {"refcats"}},      {"refcats/*", {"refcats"}},
      {"skymaps", {"skymaps"}},     {"*/defaults", {"operators"}},
  };
  return p;
}

bool HasRole(const codec::SetPolicy& policy, std::string_view user, std::string_view role) {
  for (const codec::PolicyRole& r : policy.roles) {
    if (r.name == role) {
      return std::find(r.users.begin(), r.users.end(), user) != r.users.end();
    }
  }
  return false;
}

bool IsPersonal(std::string_view name, std::string* owner) {
  if (name.substr(0, 2) != "u/") return false;
  const std::string_view rest = name.substr(2);
  const size_t slash = rest.find('/');
  if (owner != nullptr) *owner = std::string(rest.substr(0, slash));
  return true;
}

Status CheckCollectionWrite(const codec::SetPolicy& policy, std::string_view user,
                            std::string_view collection) {
  const std::string who = "user '" + std::string(user) + "'";
  const std::string what = "collection " + std::string(collection);
  std::string owner;
  if (IsPersonal(collection, &owner)) {
    if (owner == user) return Status::OK();
    return Status::PermissionDenied(who + " may not write " + what + ": u/" + owner +
                                    "/... is writable by " + owner + " only");
  }
  if (HasRole(policy, user, kAdminRole)) return Status::OK();
  for (const codec::PolicyRule& rule : policy.rules) {
    if (!GlobMatch(rule.pattern, collection)) continue;
    for (const std::string& role : rule.roles) {
      if (role == kAnyone || HasRole(policy, user, role)) return Status::OK();
    }
    return Status::PermissionDenied(who + " may not write " + what + ": rule '" + rule.pattern +
                                    "' grants it to " + JoinCommas(rule.roles) +
                                    " (ask an admin: starlog policy grant)");
  }
  return Status::PermissionDenied(who + " may not write " + what +
                                  ": no rule grants it, so only admins may (personal work goes "
                                  "under u/" +
                                  std::string(user) + "/)");
}

Result<codec::SetPolicy> ParsePolicy(std::string_view text) {
  codec::SetPolicy p;
  for (const codec::ConfigLine& statement : codec::ConfigLines(text)) {
    const std::vector<std::string>& w = statement.words;
    const auto bad = [&](const std::string& why) {
      return Status::InvalidArgument("policy line " + std::to_string(statement.number) + ": " +
                                     why);
    };
    if (w[0] == "role" && (w.size() == 2 || w.size() == 3)) {
      p.roles.push_back({w[1], w.size() == 3 ? SplitCommas(w[2]) : std::vector<std::string>{}});
    } else if (w[0] == "rule" && w.size() == 3) {
      p.rules.push_back({w[1], SplitCommas(w[2])});
    } else {
      return bad("expected 'role NAME [USER,...]' or 'rule PATTERN ROLE[,ROLE...]'");
    }
  }
  STARLOG_RETURN_IF_ERROR(ValidatePolicy(p));
  return p;
}

std::string FormatPolicy(const codec::SetPolicy& policy) {
  std::string out;
  for (const codec::PolicyRole& r : policy.roles) {
    out += "role " + r.name + (r.users.empty() ? "" : " " + JoinCommas(r.users)) + "\n";
  }
  for (const codec::PolicyRule& r : policy.rules) {
    out += "rule " + r.pattern + " " + JoinCommas(r.roles) + "\n";
  }
  return out;
}

namespace {

// A role or user name, which must survive the policy's stored text form: one
// word of printable UTF-8, no commas or comment marks.
Status ValidatePolicyWord(std::string_view what, std::string_view word) {
  STARLOG_RETURN_IF_ERROR(ValidateText(what, word, kMaxShortTextLength));
  if (const size_t bad = word.find_first_of(" ,#"); bad != std::string_view::npos) {
    return Status::InvalidArgument(std::string(what) + " '" + std::string(word) + "' has '" +
                                   word[bad] + "' at byte offset " + std::to_string(bad) +
                                   "; names in a policy are single words without ',' or '#'");
  }
  return Status::OK();
}

}  // namespace

Status ValidatePolicy(const codec::SetPolicy& policy) {
  std::vector<std::string> names;
  bool admin = false;
  for (const codec::PolicyRole& r : policy.roles) {
    if (r.name.empty() || r.name == kAnyone) {
      return Status::InvalidArgument("a role needs a name other than '*'");
    }
    STARLOG_RETURN_IF_ERROR(ValidatePolicyWord("role name", r.name));
    for (const std::string& user : r.users) {
      STARLOG_RETURN_IF_ERROR(ValidatePolicyWord("user name in role '" + r.name + "'", user));
    }
    if (std::find(names.begin(), names.end(), r.name) != names.end()) {
      return Status::InvalidArgument("role '" + r.name + "' is defined twice");
    }
    names.push_back(r.name);
    if (r.name == kAdminRole && !r.users.empty()) admin = true;
  }
  if (!admin) {
    return Status::InvalidArgument(
        "the policy leaves no admin: nobody could change it again (grant the role admin)");
  }
  for (const codec::PolicyRule& r : policy.rules) {
    STARLOG_RETURN_IF_ERROR(ValidateGlob(r.pattern));
    if (r.roles.empty()) return Status::InvalidArgument("rule '" + r.pattern + "' names no role");
    for (const std::string& role : r.roles) {
      if (role != kAnyone && std::find(names.begin(), names.end(), role) == names.end()) {
        return Status::InvalidArgument("rule '" + r.pattern + "' names role '" + role +
                                       "', which the policy does not define");
      }
    }
  }
  return Status::OK();
}

}  // namespace starlog::engine
