// The CLI through the service over TCP with TLS, between real processes:
// `starlog serve --service-listen` in one, commands in this one holding
// tokens from `starlog user add`; and `starlog user` itself.

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

#include "starlog/engine/policy.h"
#include "starlog/service/user_tokens.h"
#include "tests/cli/cli_runner.h"
#include "tests/service/certificates.h"
#include "tests/service/service_fixture.h"
#include "tests/testutil/fits_writer.h"

using namespace starlog;
using testutil::Contains;
using testutil::RunStarlog;
using testutil::ServedRepository;
using testutil::TempDir;

namespace {

// A served repository with DMTN-167's policy ("admin" its admin) and a TCP
// listener with a self-signed certificate.
struct RemoteRepository {
  // With "client_ca", the service also takes client certificates signed by
  // the CA "users".
  explicit RemoteRepository(bool client_ca = false) {
    testutil::MakeServerCertificate(certs, "server");
    std::vector<std::string> args = {"--service-listen", "127.0.0.1:0",
                                     "--tls-cert",       certs.Sub("server.pem"),
                                     "--tls-key",        certs.Sub("server.key")};
    if (client_ca) {
      testutil::MakeCa(certs, "users");
      args.push_back("--client-ca");
      args.push_back(certs.Sub("users.pem"));
    }
    served = std::make_unique<ServedRepository>(args, engine::DefaultPolicy("admin"));
    REQUIRE_FALSE(served->remote_address().empty());
  }
  // Issues a token for "user" into a file, with `starlog user add`.
  std::string Token(const std::string& user) {
    const std::string file = certs.Sub(user + ".token");
    const auto r = RunStarlog({"user", "add", served->root(), user, "--token-file", file});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return file;
  }
  // "command" with the client options of a token holder.
  testutil::CliResult As(const std::string& token_file, std::vector<std::string> command) {
    for (const std::string& a :
         {std::string("--service"), served->remote_address(), std::string("--tls-ca"),
          certs.Sub("server.pem"), std::string("--token-file"), token_file}) {
      command.push_back(a);
    }
    return RunStarlog(command);
  }

  TempDir certs;
  std::unique_ptr<ServedRepository> served;
};

}  // namespace

TEST_CASE("Token holders write through the service over TCP, each recorded as itself",
          "[service][tls][cli]") {
  RemoteRepository repo;
  const std::string root = repo.served->root();
  const std::string alice = repo.Token("alice");
  const std::string bob = repo.Token("bob");

  auto created = repo.As(alice, {"create-collection", root, "u/alice/run1"});
  INFO(created.err);
  CHECK(created.exit_code == 0);
  CHECK(created.out == "created RUN collection u/alice/run1 (event 3)\n");

  // Bob through the environment alone.
  ::setenv("STARLOG_SERVICE", repo.served->remote_address().c_str(), 1);
  ::setenv("STARLOG_TLS_CA", repo.certs.Sub("server.pem").c_str(), 1);
  ::setenv("STARLOG_TOKEN_FILE", bob.c_str(), 1);
  auto by_env = RunStarlog({"create-collection", root, "u/bob/run1"});
  ::unsetenv("STARLOG_SERVICE");
  ::unsetenv("STARLOG_TLS_CA");
  ::unsetenv("STARLOG_TOKEN_FILE");
  INFO(by_env.err);
  CHECK(by_env.exit_code == 0);

  auto log = RunStarlog({"log", root, "--json"});
  CHECK(Contains(log.out, "\"actor\":\"alice\""));
  CHECK(Contains(log.out, "\"actor\":\"bob\""));

  // The policy holds for token users, with the same exit code and message
  // as a local writer gets.
  TempDir local_dir;
  const std::string local = local_dir.Sub("repo");
  REQUIRE(RunStarlog({"create", local, "--user", "admin"}).exit_code == 0);
  auto local_refusal = RunStarlog({"create-collection", local, "u/alice/x", "--user", "bob"});
  auto remote_refusal = repo.As(bob, {"create-collection", root, "u/alice/x"});
  CHECK(remote_refusal.exit_code != 0);
  CHECK(remote_refusal.exit_code == local_refusal.exit_code);
  CHECK(remote_refusal.err == local_refusal.err);

  // --user cannot name another.
  auto claim = repo.As(bob, {"create-collection", root, "u/alice/y", "--user", "alice"});
  CHECK(claim.exit_code != 0);
  CHECK(Contains(claim.err, "records you as 'bob' (your token or certificate)"));

  // Removed while the service runs: refused from the next command on.
  REQUIRE(RunStarlog({"user", "remove", root, "alice"}).exit_code == 0);
  auto removed = repo.As(alice, {"create-collection", root, "u/alice/run2"});
  CHECK(removed.exit_code != 0);
  CHECK(Contains(removed.err, "the token is not one this service issued"));
  CHECK(repo.As(bob, {"create-collection", root, "u/bob/run2"}).exit_code == 0);
}

TEST_CASE("A client certificate signed by the service's client CA writes as its CN",
          "[service][tls][cli]") {
  RemoteRepository repo(true);
  const std::string root = repo.served->root();
  testutil::MakeClientCertificate(repo.certs, "users", "carol", "carol");
  auto created = RunStarlog(
      {"create-collection", root, "u/carol/run", "--service", repo.served->remote_address(),
       "--tls-ca", repo.certs.Sub("server.pem"), "--tls-cert", repo.certs.Sub("carol.pem"),
       "--tls-key", repo.certs.Sub("carol.key")});
  INFO(created.err);
  CHECK(created.exit_code == 0);
  CHECK(Contains(RunStarlog({"log", root, "--actor", "carol"}).out, "u/carol/run"));
  // A certificate without its key is a usage error.
  auto half =
      RunStarlog({"create-collection", root, "u/carol/x", "--service",
                  repo.served->remote_address(), "--tls-cert", repo.certs.Sub("carol.pem")});
  CHECK(half.exit_code == 2);
}

TEST_CASE("The client's TCP options are checked before anything is sent", "[service][tls][cli]") {
  RemoteRepository repo;
  const std::string root = repo.served->root();
  const std::string alice = repo.Token("alice");
  // Neither a socket nor HOST:PORT.
  auto vague = RunStarlog({"create-collection", root, "x", "--service", "service.sock"});
  CHECK(vague.exit_code == 2);
  CHECK(Contains(vague.err, "neither a socket"));
  // TCP options with a socket.
  auto mixed = RunStarlog(
      {"create-collection", root, "x", "--service", repo.served->socket(), "--token-file", alice});
  CHECK(mixed.exit_code == 2);
  // No token and no certificate.
  auto anonymous =
      RunStarlog({"create-collection", root, "x", "--service", repo.served->remote_address(),
                  "--tls-ca", repo.certs.Sub("server.pem")});
  CHECK(anonymous.exit_code == 2);
  CHECK(Contains(anonymous.err, "--token-file"));
  // A token file others may read.
  REQUIRE(::chmod(alice.c_str(), 0644) == 0);
  auto loose = repo.As(alice, {"create-collection", root, "u/alice/x"});
  CHECK(loose.exit_code != 0);
  CHECK(Contains(loose.err, "chmod 600"));
  // The service's certificate not trusted: refused before the token goes.
  REQUIRE(::chmod(alice.c_str(), 0600) == 0);
  auto untrusted = RunStarlog({"create-collection", root, "u/alice/x", "--service",
                               repo.served->remote_address(), "--token-file", alice});
  CHECK(untrusted.exit_code != 0);
  CHECK(Contains(untrusted.err, "certificate verify failed"));
}

TEST_CASE("starlog user: add, list, remove, and what they refuse", "[service][tls][cli]") {
  TempDir dir;
  const std::string root = dir.Sub("repo");
  REQUIRE(RunStarlog({"create", root, "--no-policy"}).exit_code == 0);

  // Printed once when no file is named; only a hash is kept.
  auto printed = RunStarlog({"user", "add", root, "alice"});
  REQUIRE(printed.exit_code == 0);
  CHECK(printed.out.rfind("slt1_", 0) == 0);
  CHECK(Contains(printed.err, "shown once"));
  std::ifstream table_in(root + "/.starlog/tokens");
  const std::string table(std::istreambuf_iterator<char>(table_in), {});
  CHECK_FALSE(Contains(table, printed.out.substr(0, printed.out.size() - 1)));

  const std::string file = dir.Sub("bob.token");
  REQUIRE(RunStarlog({"user", "add", root, "bob", "--token-file", file}).exit_code == 0);
  struct stat st;
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(::stat((root + "/.starlog/tokens").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  // Refusals change nothing.
  CHECK(RunStarlog({"user", "add", root, "bob"}).exit_code != 0);  // Has one.
  auto taken = RunStarlog({"user", "add", root, "carol", "--token-file", file});
  CHECK(taken.exit_code != 0);
  CHECK(Contains(taken.err, "never overwritten"));
  for (const char* bad : {"a/b", "-rf", "", "bob smith", "u*"}) {
    INFO(bad);
    CHECK(RunStarlog({"user", "add", root, bad}).exit_code == 2);
  }
  CHECK(RunStarlog({"user", "remove", root, "nobody"}).exit_code != 0);
  CHECK(RunStarlog({"user", "frobnicate", root}).exit_code == 2);
  CHECK(RunStarlog({"user", "list", dir.Sub("nowhere")}).exit_code != 0);

  auto list = RunStarlog({"user", "list", root, "--json"});
  REQUIRE(list.exit_code == 0);
  CHECK(Contains(list.out, "{\"user\":\"alice\",\"added\":\""));
  CHECK(Contains(list.out, "{\"user\":\"bob\",\"added\":\""));
  CHECK_FALSE(Contains(list.out, "carol"));
  CHECK_FALSE(Contains(list.out, "slt1_"));
  CHECK_FALSE(Contains(list.out, table.substr(table.find("alice ") + 6, 64)));

  REQUIRE(RunStarlog({"user", "remove", root, "alice"}).exit_code == 0);
  auto after = RunStarlog({"user", "list", root});
  CHECK_FALSE(Contains(after.out, "alice"));
  CHECK(Contains(after.out, "bob"));
}

TEST_CASE("serve refuses a TCP listener without TLS", "[service][tls][cli]") {
  TempDir dir;
  const std::string root = dir.Sub("repo");
  REQUIRE(RunStarlog({"create", root, "--no-policy"}).exit_code == 0);
  auto plain = RunStarlog({"serve", root, "--service-listen", "127.0.0.1:0"});
  CHECK(plain.exit_code == 2);
  CHECK(Contains(plain.err, "--tls-cert"));
  auto ca_alone = RunStarlog({"serve", root, "--client-ca", dir.Sub("ca.pem")});
  CHECK(ca_alone.exit_code == 2);
  CHECK(Contains(ca_alone.err, "--service-listen"));
}

TEST_CASE("Tokens do not replicate: a replica holds no token table", "[service][tls][cli]") {
  TempDir keys;
  const std::string key = keys.Sub("key");
  std::ofstream(key) << "0123456789abcdef0123456789abcdef\n";
  REQUIRE(::chmod(key.c_str(), 0600) == 0);
  ServedRepository primary({"--service", "--listen", "127.0.0.1:0", "--key", key});
  REQUIRE(RunStarlog({"user", "add", primary.root(), "alice"}).exit_code == 0);
  const std::string& line = primary.line();
  const std::string address = line.substr(line.rfind(" on ") + 4);
  const std::string mirror = keys.Sub("mirror");
  auto copied = RunStarlog({"replicate", mirror, "--from", address, "--key", key});
  INFO(copied.err);
  REQUIRE(copied.exit_code == 0);
  struct stat st;
  CHECK(::stat(service::TokenTablePath(primary.root()).c_str(), &st) == 0);
  CHECK(::stat(service::TokenTablePath(mirror).c_str(), &st) != 0);
}

TEST_CASE("ingest over TCP is refused, naming the Unix socket: no descriptors, and no paths",
          "[service][tls][cli][ingest]") {
  RemoteRepository repo;
  const std::string root = repo.served->root();
  const std::string alice = repo.Token("alice");
  REQUIRE(RunStarlog({"register-dataset-type", root, "raw", "Exposure", "instrument", "exposure",
                      "detector"})
              .exit_code == 0);
  std::ofstream(repo.certs.Sub("cam.cfg"))
      << "instrument Cam\nmatch INSTRUME Cam\nvalue exposure EXPNUM\nvalue detector CCDNUM\n"
         "value physical_filter FILTER\nvalue band FILTER lower\nday_obs DATE-OBS -12\n";
  testutil::WriteFits(repo.certs.Sub("c0.fits"),
                      testutil::RawCards("Cam", 7, 0, "R", "science", "2024-05-01T01:00:00", 5));
  const uint64_t head = repo.served->OpenReadOnly()->head().sequence;
  auto r = repo.As(alice, {"ingest", root, repo.certs.Sub("c0.fits"), "--run", "u/alice/raw",
                           "--translator", repo.certs.Sub("cam.cfg")});
  CHECK(r.exit_code == 1);
  CHECK(Contains(r.err, "only on its Unix socket"));
  CHECK(repo.served->OpenReadOnly()->head().sequence == head);
}
