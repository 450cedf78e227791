#pragma once

// Real certificates for TLS tests, made with the openssl tool: a
// self-signed server certificate for 127.0.0.1/localhost, and a CA that
// signs client certificates naming users by their subject CN.

#include <string>

#include "tests/testutil/temp_dir.h"

namespace starlog::testutil {

// "<name>.pem" and "<name>.key" in "dir": self-signed, CN=localhost, for
// IP 127.0.0.1 and DNS localhost.
void MakeServerCertificate(const TempDir& dir, const std::string& name);

// "<name>.pem" and "<name>.key" in "dir": a CA that may sign certificates.
void MakeCa(const TempDir& dir, const std::string& name);

// "<name>.pem" and "<name>.key" in "dir": a client certificate with subject
// CN="cn", signed by the CA "<ca>.pem"/"<ca>.key" in "dir".
void MakeClientCertificate(const TempDir& dir, const std::string& ca, const std::string& name,
                           const std::string& cn);

}  // namespace starlog::testutil
