#include "tests/service/certificates.h"

#include <catch2/catch.hpp>
#include <cstdlib>

namespace starlog::testutil {

namespace {

constexpr char kNewKey[] = "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";

void Run(const std::string& command) {
  INFO(command);
  REQUIRE(std::system((command + " 2>/dev/null >/dev/null").c_str()) == 0);
}

}  // namespace

void MakeServerCertificate(const TempDir& dir, const std::string& name) {
  Run(std::string(kNewKey) +
      "-x509 -days 2 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost "
      "-keyout " +
      dir.Sub(name + ".key") + " -out " + dir.Sub(name + ".pem"));
}

void MakeCa(const TempDir& dir, const std::string& name) {
  Run(std::string(kNewKey) + "-x509 -days 2 -subj /CN=" + name +
      " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign "
      "-keyout " +
      dir.Sub(name + ".key") + " -out " + dir.Sub(name + ".pem"));
}

void MakeClientCertificate(const TempDir& dir, const std::string& ca, const std::string& name,
                           const std::string& cn) {
  Run(std::string(kNewKey) + "-subj '/CN=" + cn + "' -keyout " + dir.Sub(name + ".key") + " -out " +
      dir.Sub(name + ".csr"));
  Run("openssl x509 -req -days 2 -in " + dir.Sub(name + ".csr") + " -CA " + dir.Sub(ca + ".pem") +
      " -CAkey " + dir.Sub(ca + ".key") + " -CAcreateserial -out " + dir.Sub(name + ".pem"));
}

}  // namespace starlog::testutil
