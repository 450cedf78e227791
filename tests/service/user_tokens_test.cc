// The token table: its file's grammar as untrusted input, names, modes, and
// the administrator's operations on it.

#include "starlog/service/user_tokens.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "starlog/engine/event_store.h"
#include "tests/testutil/temp_dir.h"

using namespace starlog;
using namespace starlog::service;
using starlog::testutil::TempDir;

namespace {

mode_t ModeOf(const std::string& path) {
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Repo {
  Repo() : root(dir.Sub("repo")) {
    engine::CreateOptions create;
    create.store.sync = false;
    REQUIRE(engine::EventStore::Create(root, create).ok());
  }
  TempDir dir;
  std::string root;
};

}  // namespace

TEST_CASE("User names: what u/<user>/ and a shell can carry", "[service][tokens]") {
  for (const char* good : {"alice", "a", "_svc", "bob.smith", "ci-runner-7", "0user"}) {
    INFO(good);
    CHECK(ValidateUserName(good).ok());
  }
  for (const std::string& bad : {std::string(), std::string(65, 'a'), std::string("-x"),
                                 std::string(".x"), std::string("a/b"), std::string("a b"),
                                 std::string("a*"), std::string("é"), std::string("a\n")}) {
    INFO(bad);
    CHECK(ValidateUserName(bad).IsInvalidArgument());
  }
}

TEST_CASE("The token table parses only its grammar", "[service][tokens]") {
  const std::string hash(64, 'a');
  auto table = TokenTable::Parse("starlog-tokens 1\nalice " + hash + " 1796135958087379945\n");
  REQUIRE(table.ok());
  REQUIRE(table->users().size() == 1);
  CHECK(table->users()[0].name == "alice");
  CHECK(table->users()[0].added_ns == 1796135958087379945);
  CHECK(TokenTable::Parse(table->Serialize()).value().Serialize() == table->Serialize());
  CHECK(TokenTable::Parse("starlog-tokens 1\n").ok());

  for (const std::string& bad : std::vector<std::string>{
           std::string(""),
           std::string("starlog-tokens 2\n"),
           "starlog-tokens 1\nalice " + hash + " 1",                    // No newline.
           "starlog-tokens 1\nalice " + hash + "\n",                    // Two fields.
           "starlog-tokens 1\nalice " + hash + " 1 x\n",                // Four.
           "starlog-tokens 1\nalice " + hash.substr(1) + " 1\n",        // Short hash.
           "starlog-tokens 1\nalice " + std::string(64, 'A') + " 1\n",  // Upper case.
           "starlog-tokens 1\nalice " + hash + " -1\n",
           "starlog-tokens 1\nalice " + hash + " 99999999999999999999\n",
           "starlog-tokens 1\na/b " + hash + " 1\n",
           "starlog-tokens 1\nalice " + hash + " 1\nalice " + hash + " 2\n",
           std::string("starlog-tokens 1\n\n"),
       }) {
    INFO(bad);
    CHECK(TokenTable::Parse(bad).status().IsCorruption());
  }
}

TEST_CASE("A token authenticates its user only, by its hash", "[service][tokens]") {
  TokenTable table;
  REQUIRE(table.Add({"alice", 1}, "slt1_secret-a").ok());
  REQUIRE(table.Add({"bob", 2}, "slt1_secret-b").ok());
  CHECK(table.Add({"alice", 3}, "slt1_other").IsConflict());
  CHECK(table.Authenticate("slt1_secret-a") == "alice");
  CHECK(table.Authenticate("slt1_secret-b") == "bob");
  CHECK_FALSE(table.Authenticate("slt1_secret-"));
  CHECK_FALSE(table.Authenticate(""));
  CHECK_FALSE(table.Authenticate(std::string(kMaxTokenLength + 1, 'x')));
  // The table holds no token, only hashes.
  CHECK(table.Serialize().find("secret") == std::string::npos);
  CHECK(table.Remove("alice"));
  CHECK_FALSE(table.Remove("alice"));
  CHECK_FALSE(table.Authenticate("slt1_secret-a"));
}

TEST_CASE("AddUser issues a fresh random token, kept as a hash in a private file",
          "[service][tokens]") {
  Repo repo;
  const std::string file = repo.dir.Sub("alice.token");
  auto token = AddUser(repo.root, "alice", file);
  REQUIRE(token.ok());
  CHECK(token->rfind("slt1_", 0) == 0);
  CHECK(token->size() == 5 + 64);
  CHECK(Slurp(file) == *token + "\n");
  CHECK(ModeOf(file) == 0600);
  CHECK(ModeOf(TokenTablePath(repo.root)) == 0600);
  CHECK(Slurp(TokenTablePath(repo.root)).find(*token) == std::string::npos);
  CHECK(ReadTokenFile(file).value() == *token);
  CHECK(LoadTokenTable(repo.root).value().Authenticate(*token) == "alice");

  auto other = AddUser(repo.root, "bob");
  REQUIRE(other.ok());
  CHECK(*other != *token);

  // A second token for alice: refused, the first still good.
  CHECK(AddUser(repo.root, "alice").status().IsConflict());
  // A token file that exists is never overwritten, and the table is left
  // as it was.
  const std::string before = Slurp(TokenTablePath(repo.root));
  std::ofstream(repo.dir.Sub("taken")) << "keep me\n";
  CHECK(AddUser(repo.root, "carol", repo.dir.Sub("taken")).status().IsConflict());
  CHECK(Slurp(repo.dir.Sub("taken")) == "keep me\n");
  CHECK(Slurp(TokenTablePath(repo.root)) == before);
  CHECK(AddUser(repo.root, "bad/name").status().IsInvalidArgument());
  CHECK(AddUser(repo.dir.Sub("nowhere"), "dave").status().IsNotFound());
  CHECK(Slurp(TokenTablePath(repo.root)) == before);

  auto users = ListUsers(repo.root).value();
  REQUIRE(users.size() == 2);
  CHECK(users[0].name == "alice");
  CHECK(users[1].name == "bob");
  CHECK(users[0].added_ns > 0);

  REQUIRE(RemoveUser(repo.root, "alice").ok());
  CHECK(RemoveUser(repo.root, "alice").IsNotFound());
  CHECK_FALSE(LoadTokenTable(repo.root).value().Authenticate(*token));
  CHECK(ModeOf(TokenTablePath(repo.root)) == 0600);
}

TEST_CASE("A token file others may read is refused, so is one without a token",
          "[service][tokens]") {
  TempDir dir;
  const std::string file = dir.Sub("token");
  std::ofstream(file) << "  slt1_abc \n";
  REQUIRE(::chmod(file.c_str(), 0644) == 0);
  auto loose = ReadTokenFile(file);
  CHECK(loose.status().IsPermissionDenied());
  CHECK(std::string(loose.status().message()).find("chmod 600") != std::string::npos);
  REQUIRE(::chmod(file.c_str(), 0600) == 0);
  CHECK(ReadTokenFile(file).value() == "slt1_abc");
  std::ofstream(dir.Sub("empty")) << "\n";
  REQUIRE(::chmod(dir.Sub("empty").c_str(), 0600) == 0);
  CHECK(ReadTokenFile(dir.Sub("empty")).status().IsInvalidArgument());
  CHECK(ReadTokenFile(dir.Sub("missing")).status().IsNotFound());
}
