#include "tests/testutil/fits_writer.h"

#include <fitsio.h>

#include <stdexcept>

namespace starlog::testutil {

namespace {

void Check(int status, const std::string& what) {
  if (status == 0) return;
  char text[FLEN_STATUS] = {0};
  fits_get_errstatus(status, text);
  throw std::runtime_error(what + ": " + text);
}

}  // namespace

void WriteFits(const std::string& path, const std::vector<Card>& cards, bool tile_compress) {
  fitsfile* f = nullptr;
  int status = 0;
  // "!" overwrites; "[compress]" asks for a tile-compressed image HDU.
  const std::string name = "!" + path + (tile_compress ? "[compress]" : "");
  fits_create_file(&f, name.c_str(), &status);
  Check(status, "create " + path);
  long axes[2] = {16, 16};
  fits_create_img(f, SHORT_IMG, 2, axes, &status);
  Check(status, "image " + path);
  for (const Card& c : cards) {
    if (const auto* s = std::get_if<std::string>(&c.value)) {
      fits_update_key(f, TSTRING, c.key.c_str(), const_cast<char*>(s->c_str()), nullptr, &status);
    } else if (const auto* i = std::get_if<long long>(&c.value)) {
      long long v = *i;
      fits_update_key(f, TLONGLONG, c.key.c_str(), &v, nullptr, &status);
    } else {
      double v = std::get<double>(c.value);
      fits_update_key(f, TDOUBLE, c.key.c_str(), &v, nullptr, &status);
    }
    Check(status, "keyword " + c.key);
  }
  short pixels[16 * 16];
  for (int i = 0; i < 16 * 16; ++i) pixels[i] = static_cast<short>(i * 7 % 1000);
  fits_write_img(f, TSHORT, 1, 16 * 16, pixels, &status);
  Check(status, "pixels " + path);
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
