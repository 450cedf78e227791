#pragma once

// Per-user tokens: how a remote client of the service (TCP with TLS,
// server.h) proves who it is. An administrator issues one token per user
// (AddUser, `starlog user add`); the user keeps it in a private file and
// its client sends it in the hello, only ever over TLS with the service's
// certificate verified. The service keeps no token, only its SHA-256, in
// "<root>/.starlog/tokens".
//
// A token is 32 bytes from OpenSSL's CSPRNG, written "slt1_" and 64 hex
// digits. Its hash needs no salt and no slow function: those protect
// passwords a person chose, which an attacker can guess; a token is 256
// random bits, so its hash cannot be searched for it, with any speed.
//
// Tokens are not registry events: they are secrets, the repository's log
// replicates, and a replica's users are its own administrator's choice.
//
// The table file:
//
//   table := "starlog-tokens 1\n" line*
//   line  := user " " sha256 " " added "\n"
//   user  := a user name (ValidateUserName), each at most once
//   sha256:= 64 lower-case hex digits, the token's SHA-256
//   added := decimal UTC nanoseconds since 1970, when it was issued
//
// It is written whole to a temporary file, synced and renamed over the
// table, under a lock (so concurrent `user add`s lose nothing), mode 0600.
// The service reads it at every TCP hello, so a removed token stops working
// at once, and uses it only if it is a regular file of the service's user
// that no one else may read or write.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "starlog/result.h"

namespace starlog::service {

inline constexpr size_t kMaxUserNameLength = 64;
// Larger than any table of real users; a bigger file is refused unread.
inline constexpr size_t kMaxTokenTableSize = 1 << 20;
// Longer than any token this code issues; a longer one is refused unhashed.
inline constexpr size_t kMaxTokenLength = 256;

// A user name, as tokens and client certificates give it: 1 to
// kMaxUserNameLength bytes of letters, digits and "._-", beginning with a
// letter, digit or "_", so that "u/<user>/" is a collection name and the
// name reads the same in a shell, a log line and a policy rule.
// InvalidArgument saying what is wrong.
Status ValidateUserName(std::string_view name);

// "<root>/.starlog/tokens".
std::string TokenTablePath(const std::string& root);

struct TokenUser {
  std::string name;
  int64_t added_ns = 0;  // When its token was issued (UTC).
};

class TokenTable {
 public:
  // Parses the file's text as untrusted input (the grammar above).
  // Corruption naming the line that is wrong.
  static Result<TokenTable> Parse(std::string_view text);
  std::string Serialize() const;

  // The user whose token is "token", comparing every hash in constant time
  // (no early exit, no data-dependent branch on secret bytes).
  std::optional<std::string> Authenticate(std::string_view token) const;

  std::vector<TokenUser> users() const;

  // Adds "user" with the hash of "token". Conflict if the user is there.
  Status Add(TokenUser user, std::string_view token);
  // Removes "name"; false if it is not there.
  bool Remove(std::string_view name);

 private:
  struct Entry {
    TokenUser user;
    std::string sha256;  // 32 raw bytes.
  };
  std::vector<Entry> entries_;
};

// The table of the repository at "root", for the service: empty if there is
// no file; PermissionDenied if the file is not a regular file owned by this
// process's user, or others may read or write it; Corruption if it does not
// parse.
Result<TokenTable> LoadTokenTable(const std::string& root);

// Issues a fresh token for "name" and returns it. With "token_file", writes
// it there too (mode 0600, created: an existing file is never overwritten),
// and there only if the table takes it. InvalidArgument for a bad name,
// Conflict if the user has a token already (remove it first), NotFound if
// "root" is not a repository.
Result<std::string> AddUser(const std::string& root, const std::string& name,
                            const std::string& token_file = "");

// Removes "name"'s token: new connections with it are refused at once.
// NotFound if the user has none.
Status RemoveUser(const std::string& root, const std::string& name);

// The users that hold tokens, by name.
Result<std::vector<TokenUser>> ListUsers(const std::string& root);

// A token from the file at "path" (written by AddUser), for a client:
// surrounding white space dropped. PermissionDenied if group or others may
// read the file (a leaked token is a stolen identity), InvalidArgument if it
// holds no token.
Result<std::string> ReadTokenFile(const std::string& path);

}  // namespace starlog::service
