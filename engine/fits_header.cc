#include "starlog/engine/fits_header.h"

#include <fitsio.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

namespace starlog::engine {

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
  char* end = nullptr;
  const long long i = std::strtoll(raw.c_str(), &end, 10);
  if (end != nullptr && *end == '\0') {
    card.kind = FitsCard::Kind::kInt;
    card.integer = i;
    card.number = static_cast<double>(i);
    return card;
  }
  std::string d = raw;
  for (char& c : d) {
    if (c == 'D' || c == 'd') c = 'E';  // FITS allows D exponents.
  }
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

}  // namespace

Result<FitsHeader> ReadFitsHeader(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return Status::NotFound("no file " + path);
  fitsfile* raw = nullptr;
  int status = 0;
  fits_open_diskfile(&raw, path.c_str(), READONLY, &status);
  if (status != 0) {
    return Status::InvalidArgument(path +
                                   " is not a FITS file cfitsio can read: " + Reason(status));
  }
  std::unique_ptr<fitsfile, void (*)(fitsfile*)> file(raw, [](fitsfile* f) {
    int ignored = 0;
    fits_close_file(f, &ignored);
  });
  FitsHeader header;
  status = ReadKeywords(file.get(), &header);
  if (status != 0) return Status::InvalidArgument(path + ": bad header: " + Reason(status));
  int hdus = 0;
  fits_get_num_hdus(file.get(), &hdus, &status);
  if (status == 0 && hdus > 1) {
    int type = 0;
    fits_movabs_hdu(file.get(), 2, &type, &status);
    // For a tile-compressed image cfitsio presents the image's own keywords.
    if (status == 0) status = ReadKeywords(file.get(), &header);
    if (status != 0) return Status::InvalidArgument(path + ": bad extension: " + Reason(status));
  }
  return header;
}

}  // namespace starlog::engine
