#pragma once

// Who may write what. A repository's access policy is data, set by events
// (so it replicates and has history): roles granted to users, and rules that
// map collection-name patterns (globs; "*" spans "/") to the roles that may
// write matching collections. The first rule that matches decides. On top:
//
//   - a member of the role "admin" may write anything, and alone may change
//     the policy, remove dataset types and replace dimension records;
//   - u/<user>/... is writable by <user> only, whatever the rules say;
//   - a shared (non-personal) CHAINED collection may not reference a
//     personal one (DMTN-167 section 3);
//   - anyone may register dataset types, insert new dimension records and
//     name snapshots;
//   - an event one user submits for another (codec::Event::via: the
//     service's user acting with `--user NAME`) needs the submitter in the
//     role "act-for", which no policy grants by default; it is checked with
//     the rights of the user acted for, and acting for an admin needs the
//     submitter to be an admin too, so act-for raises nobody above an admin.
//
// A repository without a policy (made by a library user without one, or by
// an older starlog) enforces nothing until a policy is set.

#include <string>
#include <string_view>

#include "starlog/codec/event.h"
#include "starlog/result.h"

namespace starlog::engine {

inline constexpr char kAdminRole[] = "admin";
inline constexpr char kAnyone[] = "*";  // In a rule's roles: every user.
inline constexpr char kActForRole[] = "act-for";

// DMTN-167's access controls: "admin" (given to "admin_user"), operators,
// cpp, refcats and skymaps, and rules for <instrument>/raw/..., runs,
// <instrument>/calib..., refcats, skymaps and <instrument>/defaults; the
// rest is the admins'.
codec::SetPolicy DefaultPolicy(const std::string& admin_user);

// Whether "user" holds "role".
bool HasRole(const codec::SetPolicy& policy, std::string_view user, std::string_view role);

// OK if "user" may write "collection"; PermissionDenied naming the rule (or
// the personal prefix) that refuses it otherwise.
Status CheckCollectionWrite(const codec::SetPolicy& policy, std::string_view user,
                            std::string_view collection);

// Whether "name" is personal (u/<user>/...), and whose.
bool IsPersonal(std::string_view name, std::string* owner = nullptr);

// Reads and writes the policy file format, one statement a line:
//   role NAME [USER,...]
//   rule PATTERN ROLE[,ROLE...]
// "#" starts a comment. InvalidArgument names the line of an error.
Result<codec::SetPolicy> ParsePolicy(std::string_view text);
std::string FormatPolicy(const codec::SetPolicy& policy);

// Checks a policy is well-formed: names non-empty, patterns valid globs,
// rules naming only roles it defines (or "*"), and an admin left.
Status ValidatePolicy(const codec::SetPolicy& policy);

}  // namespace starlog::engine
