#include "starlog/replication/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "starlog/codec/coding.h"
#include "starlog/replication/wire.h"

namespace starlog::replication {

Result<std::string> ReadKeyFile(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Status::NotFound("cannot read key file " + path);
  // As ssh does for a private key: a secret others can read is no secret.
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::PermissionDenied("UNPROTECTED KEY FILE: " + path + " has mode " + mode +
                                    ", so other users can read or change the shared key; "
                                    "refusing it (run `chmod 600 " +
                                    path + "`)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read key file " + path);
  std::stringstream text;
  text << in.rdbuf();
  std::string key = text.str();
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' ')) {
    key.pop_back();
  }
  if (key.size() < 16) {
    return Status::InvalidArgument("key file " + path + " holds " + std::to_string(key.size()) +
                                   " bytes; a shared key needs at least 16");
  }
  return key;
}

std::string RandomNonce() {
  std::string nonce(kNonceSize, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), static_cast<int>(nonce.size()));
  return nonce;
}

namespace {

std::string HmacSha256(std::string_view key, std::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &length);
  return std::string(reinterpret_cast<const char*>(mac), length);
}

}  // namespace

std::string ComputeMac(std::string_view key, std::string_view role,
                       const codec::Uuid& repository_id, std::string_view peer_nonce,
                       std::string_view own_nonce) {
  std::string message(role);
  message.append(repository_id.AsBytes());
  message.append(peer_nonce);
  message.append(own_nonce);
  return HmacSha256(key, message);
}

SessionKeys DeriveSessionKeys(std::string_view key, std::string_view replica_nonce,
                              std::string_view primary_nonce) {
  const auto derive = [&](std::string_view direction) {
    std::string label = "starlog-session ";
    label.append(direction);
    label.append(replica_nonce);
    label.append(primary_nonce);
    return HmacSha256(key, label);
  };
  return SessionKeys{derive("primary->peer"), derive("peer->primary")};
}

std::string MessageTag(std::string_view direction_key, uint64_t counter, std::string_view frame) {
  std::string message;
  message.reserve(8 + frame.size());
  codec::PutFixed64(&message, counter);
  message.append(frame);
  return HmacSha256(direction_key, message).substr(0, kTagSize);
}

bool MacMatches(std::string_view expected, std::string_view received) {
  return expected.size() == received.size() &&
         CRYPTO_memcmp(expected.data(), received.data(), expected.size()) == 0;
}

}  // namespace starlog::replication
