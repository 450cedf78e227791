#include "engine/store/key_coder.h"

#include "starlog/codec/coding.h"

namespace starlog::engine {

KeyWriter& KeyWriter::String(std::string_view s) {
  // Runs without a NUL are copied whole; each NUL becomes 00 ff.
  while (!s.empty()) {
    const size_t nul = s.find('\0');
    if (nul == std::string_view::npos) {
      key_.append(s);
      break;
    }
    key_.append(s.data(), nul);
    key_.append("\0\xff", 2);
    s.remove_prefix(nul + 1);
  }
  key_.append("\0\x01", 2);
  return *this;
}

KeyWriter& KeyWriter::Int(int64_t v) {
  return Uint(static_cast<uint64_t>(v) ^ (uint64_t{1} << 63));
}

KeyWriter& KeyWriter::Uint(uint64_t v) {
  codec::PutBigEndian64(&key_, v);
  return *this;
}

KeyWriter& KeyWriter::Raw(std::string_view bytes) {
  key_.append(bytes);
  return *this;
}

Result<std::string> KeyReader::String() {
  std::string out;
  for (size_t i = 0; i < rest_.size(); ++i) {
    if (rest_[i] != '\0') {
      out.push_back(rest_[i]);
      continue;
    }
    if (i + 1 >= rest_.size()) break;
    if (rest_[i + 1] == '\x01') {
      rest_.remove_prefix(i + 2);
      return out;
    }
    if (rest_[i + 1] != '\xff') break;
    out.push_back('\0');
    ++i;
  }
  return Status::Corruption("index key: malformed string component");
}

Result<uint64_t> KeyReader::Uint() {
  if (rest_.size() < 8) return Status::Corruption("index key: truncated integer component");
  uint64_t v = codec::DecodeBigEndian64(rest_.data());
  rest_.remove_prefix(8);
  return v;
}

Result<int64_t> KeyReader::Int() {
  STARLOG_ASSIGN_OR_RETURN(uint64_t u, Uint());
  return static_cast<int64_t>(u ^ (uint64_t{1} << 63));
}

Result<std::string_view> KeyReader::Raw(size_t n) {
  if (rest_.size() < n) return Status::Corruption("index key: truncated fixed-width component");
  std::string_view out = rest_.substr(0, n);
  rest_.remove_prefix(n);
  return out;
}

}  // namespace starlog::engine
