#include "starlog/ingest/fits_header.h"

#include <fitsio.h>
// ffgbyt, for reading raw header blocks (see ReadExtensionCards); this header,
// unlike fitsio.h, does not declare its functions extern "C" itself.
extern "C" {
#include <fitsio2.h>
}

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "starlog/codec/numbers.h"

namespace starlog::ingest {

namespace {

std::string Reason(int status) {
  char text[FLEN_STATUS] = {0};
  fits_get_errstatus(status, text);
  return text;
}

FitsCard ParseValue(const std::string& raw) {
  FitsCard card;
  card.text = raw;
  if (raw.empty()) return card;
  if (raw.front() == '\'') {
    // 'text with '' for a quote', trailing blanks insignificant.
    std::string s;
    for (size_t i = 1; i < raw.size(); ++i) {
      if (raw[i] == '\'') {
        if (i + 1 < raw.size() && raw[i + 1] == '\'') {
          s.push_back('\'');
          ++i;
          continue;
        }
        break;
      }
      s.push_back(raw[i]);
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    card.kind = FitsCard::Kind::kString;
    card.text = s;
    return card;
  }
  if (raw == "T" || raw == "F") {
    card.kind = FitsCard::Kind::kBool;
    card.integer = raw == "T";
    return card;
  }
  if (const std::optional<int64_t> i = codec::ParseInt(raw, codec::IntSyntax::kLikeStrtoll)) {
    card.kind = FitsCard::Kind::kInt;
    card.integer = *i;
    card.number = static_cast<double>(*i);
    return card;
  }
  std::string d = raw;
  for (char& c : d) {
    if (c == 'D' || c == 'd') c = 'E';  // FITS allows D exponents.
  }
  char* end = nullptr;
  const double x = std::strtod(d.c_str(), &end);
  if (end != nullptr && *end == '\0') {
    card.kind = FitsCard::Kind::kFloat;
    card.number = x;
  }
  return card;
}

// Adds the current HDU's keywords that "header" lacks.
int ReadKeywords(fitsfile* f, FitsHeader* header) {
  int status = 0, count = 0, more = 0;
  fits_get_hdrspace(f, &count, &more, &status);
  for (int i = 1; i <= count && status == 0; ++i) {
    char name[FLEN_KEYWORD] = {0}, value[FLEN_VALUE] = {0}, comment[FLEN_COMMENT] = {0};
    fits_read_keyn(f, i, name, value, comment, &status);
    const std::string key = name;
    if (status != 0 || key.empty() || key == "COMMENT" || key == "HISTORY") continue;
    header->emplace(key, ParseValue(value));
  }
  return status;
}

// The first extension's keywords that "header" lacks, read as raw cards.
// cfitsio is not asked to move to the extension: for a tile-compressed image
// it would then interpret the compression keywords, and Debian's cfitsio 4.2
// divides by zero on a damaged ZTILE (found by fuzzing). The cards are found
// by their byte offset and split by cfitsio's own card parser instead.
int ReadExtensionCards(fitsfile* file, FitsHeader* header) {
  LONGLONG head = 0, data = 0, end = 0;
  int status = 0;
  fits_get_hduaddrll(file, &head, &data, &end, &status);
  if (status != 0) return status;
  if (ffmbyt(file, end, REPORT_EOF, &status) != 0) return 0;  // No extension.
  char block[2880];
  for (int n = 0; n < 10'000; ++n) {  // At most 360,000 cards.
    if (ffgbyt(file, sizeof(block), block, &status) != 0) {
      return n == 0 ? 0 : status;  // A truncated extension header is an error.
    }
    for (size_t at = 0; at < sizeof(block); at += 80) {
      std::string card(block + at, 80);
      if (n == 0 && at == 0 && card.rfind("XTENSION", 0) != 0) return 0;  // Not an extension.
      std::string key = card.substr(0, 8);
      while (!key.empty() && key.back() == ' ') key.pop_back();
      if (key == "END") return 0;
      if (key.empty() || key == "COMMENT" || key == "HISTORY" || card.compare(8, 2, "= ") != 0) {
        continue;
      }
      char value[FLEN_VALUE] = {0}, comment[FLEN_COMMENT] = {0};
      int parse = 0;
      ffpsvc(card.data(), value, comment, &parse);
      if (parse == 0) header->emplace(key, ParseValue(value));
    }
  }
  return 0;
}

using FitsPtr = std::unique_ptr<fitsfile, void (*)(fitsfile*)>;

FitsPtr Own(fitsfile* raw) {
  return FitsPtr(raw, [](fitsfile* f) {
    int ignored = 0;
    fits_close_file(f, &ignored);
  });
}

// The primary HDU's keywords, then the first extension's that it lacks.
Result<FitsHeader> HeaderOf(fitsfile* file, const std::string& name) {
  FitsHeader header;
  int status = ReadKeywords(file, &header);
  if (status != 0) return Status::InvalidArgument(name + ": bad header: " + Reason(status));
  status = ReadExtensionCards(file, &header);
  if (status != 0) return Status::InvalidArgument(name + ": bad extension: " + Reason(status));
  return header;
}

}  // namespace

Result<FitsHeader> ReadFitsHeader(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return Status::NotFound("no file " + path);
  fitsfile* raw = nullptr;
  int status = 0;
  // The disk-file opener takes the name literally (no extended syntax), and
  // still decompresses .gz and .Z files in memory.
  fits_open_diskfile(&raw, path.c_str(), READONLY, &status);
  if (status != 0) {
    return Status::InvalidArgument(path +
                                   " is not a FITS file cfitsio can read: " + Reason(status));
  }
  FitsPtr file = Own(raw);
  return HeaderOf(file.get(), path);
}

Result<FitsHeader> ParseFitsHeader(std::string_view bytes, const std::string& name) {
  // cfitsio may grow a memory file it was given; it reads this one only.
  std::string copy(bytes);
  void* memory = copy.data();
  size_t size = copy.size();
  fitsfile* raw = nullptr;
  int status = 0;
  fits_open_memfile(&raw, name.c_str(), READONLY, &memory, &size, 0, nullptr, &status);
  if (status != 0) {
    return Status::InvalidArgument(name +
                                   " is not a FITS file cfitsio can read: " + Reason(status));
  }
  FitsPtr file = Own(raw);
  return HeaderOf(file.get(), name);
}

}  // namespace starlog::ingest
