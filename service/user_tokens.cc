#include "starlog/service/user_tokens.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

#include "service/private_file.h"
#include "starlog/codec/text.h"
#include "starlog/codec/time_format.h"

namespace starlog::service {

namespace {

constexpr std::string_view kHeader = "starlog-tokens 1\n";
constexpr std::string_view kTokenPrefix = "slt1_";
constexpr size_t kTokenBytes = 32;
constexpr char kHex[] = "0123456789abcdef";

std::string Hex(std::string_view bytes) {
  std::string out;
  for (const unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::optional<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    const char* hi = std::find(kHex, kHex + 16, hex[i]);
    const char* lo = std::find(kHex, kHex + 16, hex[i + 1]);
    if (hi == kHex + 16 || lo == kHex + 16) return std::nullopt;
    out += static_cast<char>((hi - kHex) << 4 | (lo - kHex));
  }
  return out;
}

std::string Sha256(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

Result<std::string> NewToken() {
  unsigned char bytes[kTokenBytes];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return Status::IOError("the system's random number generator failed");
  }
  return std::string(kTokenPrefix) +
         Hex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

Status NoRepository(const std::string& root) {
  return Status::NotFound("no repository at " + codec::Quoted(root) + " (no .starlog folder)");
}

Status CheckRepository(const std::string& root) {
  struct stat st;
  if (::stat((root + "/.starlog").c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return NoRepository(root);
  }
  return Status::OK();
}

// The table as the administrator's commands read it: their own file, so the
// owner is whoever runs them (the service's account, as the README says).
Result<TokenTable> ReadTable(const std::string& root) {
  auto text = ReadPrivateFile(TokenTablePath(root), kMaxTokenTableSize, 0077, false);
  if (!text.ok() && text.status().IsNotFound()) return TokenTable();
  if (!text.ok()) return text.status();
  return TokenTable::Parse(*text);
}

}  // namespace

Status ValidateUserName(std::string_view name) {
  if (name.empty() || name.size() > kMaxUserNameLength) {
    return Status::InvalidArgument("a user name has 1 to " + std::to_string(kMaxUserNameLength) +
                                   " bytes, not " + std::to_string(name.size()));
  }
  const auto is_alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!is_alnum(name.front()) && name.front() != '_') {
    return Status::InvalidArgument("user name " + codec::Quoted(name) +
                                   " must begin with a letter, a digit or '_'");
  }
  for (const char c : name) {
    if (!is_alnum(c) && c != '_' && c != '-' && c != '.') {
      return Status::InvalidArgument("user name " + codec::Quoted(name) +
                                     " may hold only letters, digits and '._-'");
    }
  }
  return Status::OK();
}

std::string TokenTablePath(const std::string& root) { return root + "/.starlog/tokens"; }

Result<TokenTable> TokenTable::Parse(std::string_view text) {
  if (text.size() > kMaxTokenTableSize) {
    return Status::Corruption("the token table is larger than " +
                              std::to_string(kMaxTokenTableSize) + " bytes");
  }
  if (text.substr(0, kHeader.size()) != kHeader) {
    return Status::Corruption("the token table does not begin with \"starlog-tokens 1\"");
  }
  text.remove_prefix(kHeader.size());
  TokenTable table;
  for (size_t line_number = 2; !text.empty(); ++line_number) {
    const size_t end = text.find('\n');
    const auto bad = [&](const std::string& what) {
      return Status::Corruption("token table line " + std::to_string(line_number) + ": " + what);
    };
    if (end == std::string_view::npos) return bad("no newline at its end");
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end + 1);
    const size_t first = line.find(' ');
    const size_t second = first == std::string_view::npos ? first : line.find(' ', first + 1);
    if (second == std::string_view::npos || line.find(' ', second + 1) != std::string_view::npos) {
      return bad("not three fields (user, sha256, added)");
    }
    Entry entry;
    entry.user.name = std::string(line.substr(0, first));
    if (Status s = ValidateUserName(entry.user.name); !s.ok()) return bad(std::string(s.message()));
    const std::string_view hash = line.substr(first + 1, second - first - 1);
    auto raw = FromHex(hash);
    if (hash.size() != 2 * SHA256_DIGEST_LENGTH || !raw) {
      return bad("the hash is not 64 lower-case hex digits");
    }
    entry.sha256 = std::move(*raw);
    const std::string_view added = line.substr(second + 1);
    const auto [end_of_number, error] =
        std::from_chars(added.data(), added.data() + added.size(), entry.user.added_ns);
    if (added.empty() || added.front() == '-' || error != std::errc() ||
        end_of_number != added.data() + added.size()) {
      return bad("the time added is not a decimal number of nanoseconds");
    }
    for (const Entry& e : table.entries_) {
      if (e.user.name == entry.user.name) return bad("user " + e.user.name + " appears twice");
    }
    table.entries_.push_back(std::move(entry));
  }
  return table;
}

std::string TokenTable::Serialize() const {
  std::string out(kHeader);
  for (const Entry& e : entries_) {
    out += e.user.name + " " + Hex(e.sha256) + " " + std::to_string(e.user.added_ns) + "\n";
  }
  return out;
}

std::optional<std::string> TokenTable::Authenticate(std::string_view token) const {
  if (token.empty() || token.size() > kMaxTokenLength) return std::nullopt;
  const std::string digest = Sha256(token);
  const Entry* match = nullptr;
  // Every entry is compared, with CRYPTO_memcmp: how long this takes says
  // nothing of how much of a hash a guess got right.
  for (const Entry& e : entries_) {
    if (CRYPTO_memcmp(e.sha256.data(), digest.data(), digest.size()) == 0) match = &e;
  }
  if (match == nullptr) return std::nullopt;
  return match->user.name;
}

std::vector<TokenUser> TokenTable::users() const {
  std::vector<TokenUser> out;
  for (const Entry& e : entries_) out.push_back(e.user);
  std::sort(out.begin(), out.end(),
            [](const TokenUser& a, const TokenUser& b) { return a.name < b.name; });
  return out;
}

Status TokenTable::Add(TokenUser user, std::string_view token) {
  STARLOG_RETURN_IF_ERROR(ValidateUserName(user.name));
  for (const Entry& e : entries_) {
    if (e.user.name == user.name) {
      return Status::Conflict("user " + user.name +
                              " has a token already; remove it first (starlog user remove)");
    }
  }
  entries_.push_back(Entry{std::move(user), Sha256(token)});
  return Status::OK();
}

bool TokenTable::Remove(std::string_view name) {
  const auto it = std::find_if(entries_.begin(), entries_.end(),
                               [&](const Entry& e) { return e.user.name == name; });
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

Result<TokenTable> LoadTokenTable(const std::string& root) {
  auto text = ReadPrivateFile(TokenTablePath(root), kMaxTokenTableSize, 0077, true);
  if (!text.ok() && text.status().IsNotFound()) return TokenTable();
  if (!text.ok()) return text.status();
  return TokenTable::Parse(*text);
}

Result<std::string> AddUser(const std::string& root, const std::string& name,
                            const std::string& token_file) {
  STARLOG_RETURN_IF_ERROR(ValidateUserName(name));
  STARLOG_RETURN_IF_ERROR(CheckRepository(root));
  STARLOG_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(TokenTablePath(root) + ".lock"));
  STARLOG_ASSIGN_OR_RETURN(TokenTable table, ReadTable(root));
  STARLOG_ASSIGN_OR_RETURN(std::string token, NewToken());
  STARLOG_RETURN_IF_ERROR(table.Add(TokenUser{name, codec::NowUtcNs()}, token));
  // The token file first: if it cannot be made, the table keeps no hash of a
  // token nobody holds.
  if (!token_file.empty()) STARLOG_RETURN_IF_ERROR(CreatePrivateFile(token_file, token + "\n"));
  if (Status s = ReplaceFile(TokenTablePath(root), table.Serialize()); !s.ok()) {
    if (!token_file.empty()) ::unlink(token_file.c_str());
    return s;
  }
  return token;
}

Status RemoveUser(const std::string& root, const std::string& name) {
  STARLOG_RETURN_IF_ERROR(CheckRepository(root));
  STARLOG_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(TokenTablePath(root) + ".lock"));
  STARLOG_ASSIGN_OR_RETURN(TokenTable table, ReadTable(root));
  if (!table.Remove(name)) return Status::NotFound("user " + codec::Quoted(name) + " has no token");
  return ReplaceFile(TokenTablePath(root), table.Serialize());
}

Result<std::vector<TokenUser>> ListUsers(const std::string& root) {
  STARLOG_RETURN_IF_ERROR(CheckRepository(root));
  STARLOG_ASSIGN_OR_RETURN(TokenTable table, ReadTable(root));
  return table.users();
}

Result<std::string> ReadTokenFile(const std::string& path) {
  STARLOG_ASSIGN_OR_RETURN(std::string text,
                           ReadPrivateFile(path, kMaxTokenLength + 2, 0077, false));
  const size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) {
    return Status::InvalidArgument("token file " + codec::Quoted(path) + " holds no token");
  }
  const size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

}  // namespace starlog::service
