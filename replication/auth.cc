#include "starlog/replication/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <fstream>
#include <sstream>

#include "starlog/replication/wire.h"

namespace starlog::replication {

Result<std::string> ReadKeyFile(const std::string& path) {
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

std::string ComputeMac(std::string_view key, std::string_view role,
                       const codec::Uuid& repository_id, std::string_view peer_nonce,
                       std::string_view own_nonce) {
  std::string message(role);
  message.append(repository_id.AsBytes());
  message.append(peer_nonce);
  message.append(own_nonce);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &length);
  return std::string(reinterpret_cast<const char*>(mac), length);
}

bool MacMatches(std::string_view expected, std::string_view received) {
  return expected.size() == received.size() &&
         CRYPTO_memcmp(expected.data(), received.data(), expected.size()) == 0;
}

}  // namespace starlog::replication
