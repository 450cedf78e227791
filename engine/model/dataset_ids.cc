#include "starlog/engine/dataset_ids.h"

#include <openssl/evp.h>

#include <chrono>

namespace starlog::engine {

namespace {

constexpr codec::Uuid kButlerNamespace = {{0x84, 0x0b, 0x31, 0xd9, 0x05, 0xcd, 0x51, 0x61, 0xb2,
                                           0xc8, 0x00, 0xd3, 0x2b, 0x28, 0x0d, 0x0f}};

codec::Uuid UuidV5(const codec::Uuid& ns, std::string_view name) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr);
  EVP_DigestUpdate(ctx, ns.bytes.data(), ns.bytes.size());
  EVP_DigestUpdate(ctx, name.data(), name.size());
  EVP_DigestFinal_ex(ctx, digest, &length);
  EVP_MD_CTX_free(ctx);
  codec::Uuid u;
  for (size_t i = 0; i < 16; ++i) u.bytes[i] = digest[i];
  u.bytes[6] = static_cast<uint8_t>((u.bytes[6] & 0x0f) | 0x50);  // Version 5.
  u.bytes[8] = static_cast<uint8_t>((u.bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant.
  return u;
}

}  // namespace

codec::Uuid DeterministicDatasetId(std::string_view dataset_type, const codec::FieldMap& data_id,
                                   std::optional<std::string_view> run) {
  std::string name = "dataset_type=";
  name += dataset_type;
  if (run) {
    name += ",run=";
    name += *run;
  }
  for (const auto& [key, value] : data_id) {  // FieldMap iterates in key order.
    name += ',';
    name += key;
    name += '=';
    name += codec::FieldValueToString(value);
  }
  return UuidV5(kButlerNamespace, name);
}

codec::Uuid RandomDatasetId() {
  const uint64_t ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
  codec::Uuid u;
  for (int i = 0; i < 6; ++i) u.bytes[i] = static_cast<uint8_t>(ms >> (40 - 8 * i));
  // 74 random bits from the kernel: ids from processes started in the same
  // millisecond must not collide, which a generator seeded per process with
  // a few bits cannot promise.
  codec::FillRandom(u.bytes.data() + 6, 10);
  u.bytes[6] = static_cast<uint8_t>((u.bytes[6] & 0x0f) | 0x70);  // Version 7.
  u.bytes[8] = static_cast<uint8_t>((u.bytes[8] & 0x3f) | 0x80);
  return u;
}

codec::Uuid MakeDatasetId(DatasetIdMode mode, std::string_view dataset_type,
                          const codec::FieldMap& data_id, std::string_view run) {
  switch (mode) {
    case DatasetIdMode::kRandom:
      return RandomDatasetId();
    case DatasetIdMode::kDataIdType:
      return DeterministicDatasetId(dataset_type, data_id, std::nullopt);
    case DatasetIdMode::kDataIdTypeRun:
      return DeterministicDatasetId(dataset_type, data_id, run);
  }
  return RandomDatasetId();
}

}  // namespace starlog::engine
