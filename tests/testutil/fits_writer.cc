#include "tests/testutil/fits_writer.h"

#include <fitsio.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace starlog::testutil {

namespace {

void Check(int status, const std::string& what) {
  if (status == 0) return;
  char text[FLEN_STATUS] = {0};
  fits_get_errstatus(status, text);
  throw std::runtime_error(what + ": " + text);
}

// Strings longer than a card holds go over CONTINUE cards (the long-string
// convention); keys longer than eight characters or with spaces become
// HIERARCH cards (cfitsio does both).
void WriteCards(fitsfile* f, const std::vector<Card>& cards) {
  int status = 0;
  for (const Card& c : cards) {
    if (const auto* s = std::get_if<std::string>(&c.value)) {
      if (s->size() > 68) {
        fits_update_key_longstr(f, c.key.c_str(), s->c_str(), nullptr, &status);
      } else {
        fits_update_key(f, TSTRING, c.key.c_str(), const_cast<char*>(s->c_str()), nullptr, &status);
      }
    } else if (const auto* i = std::get_if<long long>(&c.value)) {
      long long v = *i;
      fits_update_key(f, TLONGLONG, c.key.c_str(), &v, nullptr, &status);
    } else if (const auto* d = std::get_if<double>(&c.value)) {
      double v = *d;
      fits_update_key(f, TDOUBLE, c.key.c_str(), &v, nullptr, &status);
    } else {
      fits_update_key_null(f, c.key.c_str(), nullptr, &status);
    }
    Check(status, "keyword " + c.key);
  }
}

// A 16 x 16 image HDU (the primary, if none is there yet) with "cards".
void WriteImage(fitsfile* f, const std::vector<Card>& cards, const std::string& path) {
  int status = 0;
  long axes[2] = {16, 16};
  fits_create_img(f, SHORT_IMG, 2, axes, &status);
  Check(status, "image " + path);
  WriteCards(f, cards);
  short pixels[16 * 16];
  for (int i = 0; i < 16 * 16; ++i) pixels[i] = static_cast<short>(i * 7 % 1000);
  fits_write_img(f, TSHORT, 1, 16 * 16, pixels, &status);
  Check(status, "pixels " + path);
}

}  // namespace

std::string CompressZ(const std::string& in) {
  std::string out = {'\x1f', '\x9d', static_cast<char>(0x80 | 16)};  // Block mode, 16 bits.
  uint64_t acc = 0;
  int pending = 0;
  uint64_t bits = 0;  // Since the header.
  const auto put = [&](unsigned code, int width) {
    acc |= static_cast<uint64_t>(code) << pending;
    pending += width;
    bits += static_cast<uint64_t>(width);
    while (pending >= 8) {
      out.push_back(static_cast<char>(acc & 0xff));
      acc >>= 8;
      pending -= 8;
    }
  };
  int run = 0;
  for (unsigned char c : in) {
    if (run == 254) {
      put(256, 9);  // CLEAR; the decoder then skips to the next 8-code group.
      while (bits % 72 != 0) put(0, 1);
      run = 0;
    }
    put(c, 9);
    ++run;
  }
  if (pending > 0) out.push_back(static_cast<char>(acc & 0xff));
  return out;
}

void WriteFits(const std::string& path, const std::vector<Card>& cards, bool tile_compress) {
  if (path.size() > 2 && path.compare(path.size() - 2, 2, ".Z") == 0) {
    const std::string plain = path.substr(0, path.size() - 2) + ".plain";
    WriteFits(plain, cards, tile_compress);
    std::ifstream in(plain, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(path, std::ios::binary) << CompressZ(bytes);
    std::remove(plain.c_str());
    return;
  }
  fitsfile* f = nullptr;
  int status = 0;
  // "!" overwrites; "[compress]" asks for a tile-compressed image HDU.
  const std::string name = "!" + path + (tile_compress ? "[compress]" : "");
  fits_create_file(&f, name.c_str(), &status);
  Check(status, "create " + path);
  WriteImage(f, cards, path);
  fits_close_file(f, &status);
  Check(status, "close " + path);
}

void WriteMultiExtensionFits(const std::string& path, const std::vector<Card>& primary,
                             const std::vector<std::vector<Card>>& extensions) {
  fitsfile* f = nullptr;
  int status = 0;
  fits_create_file(&f, ("!" + path).c_str(), &status);
  Check(status, "create " + path);
  fits_create_img(f, SHORT_IMG, 0, nullptr, &status);
  Check(status, "primary " + path);
  WriteCards(f, primary);
  for (const auto& cards : extensions) WriteImage(f, cards, path);
  fits_close_file(f, &status);
  Check(status, "close " + path);
}

std::vector<Card> RawCards(const std::string& instrument, long long exposure, long long detector,
                           const std::string& filter, const std::string& type,
                           const std::string& date_obs, double exptime) {
  return {{"INSTRUME", instrument},
          {"EXPNUM", exposure},
          {"CCDNUM", detector},
          {"FILTER", filter},
          {"IMGTYPE", type},
          {"OBJECT", std::string("COSMOS")},
          {"DATE-OBS", date_obs},
          {"EXPTIME", exptime},
          {"TIMESYS", std::string("UTC")},
          {"CCDNAME", "ccd" + std::to_string(detector)}};
}

}  // namespace starlog::testutil
