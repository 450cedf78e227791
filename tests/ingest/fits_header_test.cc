// FITS headers read whole: long strings over CONTINUE cards, HIERARCH
// keywords in the primary and in extension HDUs, every HDU of a
// multi-extension file.

#include "starlog/ingest/fits_header.h"

#include <fitsio.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/testutil/fits_writer.h"
#include "tests/testutil/temp_dir.h"

using namespace starlog;
using namespace starlog::ingest;
using testutil::Card;
using testutil::TempDir;
using testutil::WriteFits;

namespace {

const std::string kLong =
    "Hyper Suprime-Cam observation of the COSMOS field, part of the wide layer of the "
    "Subaru Strategic Program, with a long note that needs three CONTINUE cards to be kept";

// One header of 80-column cards, padded to whole 2880-byte blocks.
std::string HeaderBlock(const std::vector<std::string>& cards) {
  std::string raw;
  for (const std::string& card : cards) raw += card + std::string(80 - card.size(), ' ');
  raw += "END" + std::string(77, ' ');
  raw.resize((raw.size() + 2879) / 2880 * 2880, ' ');
  return raw;
}

// The number of HDUs cfitsio itself finds in a file.
int CfitsioHduCount(const std::string& path) {
  fitsfile* file = nullptr;
  int status = 0, count = 0;
  fits_open_diskfile(&file, path.c_str(), READONLY, &status);
  fits_get_num_hdus(file, &count, &status);
  fits_close_file(file, &status);
  return status == 0 ? count : -1;
}

}  // namespace

TEST_CASE("A long string over CONTINUE cards is read whole, in the primary and an extension",
          "[ingest][fits]") {
  TempDir dir;
  REQUIRE(kLong.size() > 2 * 68);
  const std::vector<Card> cards = {
      {"INSTRUME", std::string("FakeCam")}, {"OBJECT", kLong}, {"AFTER", std::string("next")}};
  WriteFits(dir.Sub("plain.fits"), cards);
  WriteFits(dir.Sub("tiled.fits.fz"), cards, /*tile_compress=*/true);  // Keywords in the extension.
  for (const char* name : {"plain.fits", "tiled.fits.fz"}) {
    INFO(name);
    auto header = ReadFitsHeader(dir.Sub(name));
    REQUIRE(header.ok());
    CHECK(header->at("OBJECT").text == kLong);
    CHECK(header->at("AFTER").text == "next");  // The card after the CONTINUEs is its own.
    CHECK(header->count("CONTINUE") == 0);
  }
}

TEST_CASE("HIERARCH keywords are read in the primary and in extension HDUs", "[ingest][fits]") {
  TempDir dir;
  const std::vector<Card> cards = {{"INSTRUME", std::string("FORS2")},
                                   {"ESO DPR CATG", std::string("CALIB")},
                                   {"ESO DET WIN1 UIT1", 1.5}};
  WriteFits(dir.Sub("eso.fits"), cards);
  WriteFits(dir.Sub("eso.fits.fz"), cards, /*tile_compress=*/true);
  for (const char* name : {"eso.fits", "eso.fits.fz"}) {
    INFO(name);
    auto header = ReadFitsHeader(dir.Sub(name));
    REQUIRE(header.ok());
    CHECK(header->at("ESO DPR CATG").text == "CALIB");
    CHECK(header->at("ESO DET WIN1 UIT1").number == 1.5);
  }
  // cfitsio writes HIERARCH names in upper case; other writers keep their
  // case, which is read in upper case, as rules name keywords.
  std::string raw;
  for (const char* card : {"SIMPLE  =                    T", "BITPIX  =                    8",
                           "NAXIS   =                    0",
                           "HIERARCH ESO ins Filt1 name = 'R_SPECIAL' / a filter", "END"}) {
    raw += std::string(card) + std::string(80 - std::string(card).size(), ' ');
  }
  raw.resize(2880, ' ');
  auto mixed = ParseFitsHeader(raw, "mixed.fits");
  REQUIRE(mixed.ok());
  CHECK(mixed->at("ESO INS FILT1 NAME").text == "R_SPECIAL");
  testutil::WriteMultiExtensionFits(dir.Sub("mef.fits"), {{"INSTRUME", std::string("X")}},
                                    {{{"ESO DET CHIP1 ID", std::string("CCD-44")}},
                                     {{"ESO DET CHIP1 ID", std::string("CCD-45")}}});
  auto hdus = ReadFitsHdus(dir.Sub("mef.fits"));
  REQUIRE(hdus.ok());
  REQUIRE(hdus->size() == 3);
  CHECK((*hdus)[0].at("INSTRUME").text == "X");
  CHECK((*hdus)[1].at("ESO DET CHIP1 ID").text == "CCD-44");
  CHECK((*hdus)[2].at("ESO DET CHIP1 ID").text == "CCD-45");
  CHECK((*hdus)[2].count("INSTRUME") == 0);  // Each HDU's own keywords.
}

TEST_CASE("Every HDU of a multi-extension file is read, each with its own keywords",
          "[ingest][fits]") {
  TempDir dir;
  std::vector<std::vector<Card>> extensions;
  for (long long ccd = 1; ccd <= 5; ++ccd) {
    extensions.push_back({{"CCDNUM", ccd}, {"EXTNAME", "ccd" + std::to_string(ccd)}});
  }
  testutil::WriteMultiExtensionFits(dir.Sub("decam.fits"),
                                    {{"INSTRUME", std::string("DECam")}, {"EXPNUM", 229388LL}},
                                    extensions);
  auto hdus = ReadFitsHdus(dir.Sub("decam.fits"));
  REQUIRE(hdus.ok());
  REQUIRE(hdus->size() == 6);
  for (long long ccd = 1; ccd <= 5; ++ccd) CHECK((*hdus)[ccd].at("CCDNUM").integer == ccd);
  // The merged header: the primary's keywords, then the first extension's.
  auto merged = ReadFitsHeader(dir.Sub("decam.fits"));
  REQUIRE(merged.ok());
  CHECK(merged->at("EXPNUM").integer == 229388);
  CHECK(merged->at("CCDNUM").integer == 1);
}

TEST_CASE("A primary HDU's data is counted as the standard counts it, to find the next HDU",
          "[ingest][fits]") {
  TempDir dir;
  const std::string image = HeaderBlock(
      {"XTENSION= 'IMAGE   '", "BITPIX  =                    8", "NAXIS   =                    0",
       "PCOUNT  =                    0", "GCOUNT  =                    1", "EXTNAME = 'SECOND  '"});
  struct Case {
    const char* what;
    std::vector<std::string> primary;
    size_t data_bytes;  // As the standard counts them.
  };
  const std::vector<Case> cases = {
      {"random groups: NAXIS1 = 0 counts nothing, PCOUNT and GCOUNT count",
       {"SIMPLE  =                    T", "BITPIX  =                    8",
        "NAXIS   =                    2", "NAXIS1  =                    0",
        "NAXIS2  =                  500", "GROUPS  =                    T",
        "PCOUNT  =                  100", "GCOUNT  =                   10"},
       6000},
      {"GROUPS = T with NAXIS1 not 0 is an image: NAXIS1 counts",
       {"SIMPLE  =                    T", "BITPIX  =                    8",
        "NAXIS   =                    2", "NAXIS1  =                   20",
        "NAXIS2  =                  288", "GROUPS  =                    T"},
       5760},
      {"PCOUNT and GCOUNT count in a primary image too, as cfitsio counts them",
       {"SIMPLE  =                    T", "BITPIX  =                   16",
        "NAXIS   =                    1", "NAXIS1  =                 1000",
        "PCOUNT  =                 2000", "GCOUNT  =                    3"},
       18000},
      {"no axes count no pixels, only PCOUNT",
       {"SIMPLE  =                    T", "BITPIX  =                    8",
        "NAXIS   =                    0", "PCOUNT  =                 2880"},
       2880},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    const std::string data((c.data_bytes + 2879) / 2880 * 2880, '\0');
    const std::string raw = HeaderBlock(c.primary) + data + image;
    const std::string path = dir.Sub("groups.fits");
    std::ofstream(path, std::ios::binary) << raw;
    REQUIRE(CfitsioHduCount(path) == 2);  // cfitsio finds the extension where this test puts it.
    auto hdus = ParseFitsHdus(raw, "groups.fits");
    REQUIRE(hdus.ok());
    REQUIRE(hdus->size() == 2);
    CHECK((*hdus)[1].at("EXTNAME").text == "SECOND");
  }
}

TEST_CASE("Bytes whose primary HDU declares more data than they hold are read within them",
          "[ingest][fits]") {
  // NAXIS1 twice: cfitsio counts the one in its place (100 MB of data),
  // ReadHdu the last (5,760 bytes, the next HDU then just past the bytes).
  // Read as a cfitsio memory file, the file grew to cfitsio's size with no
  // memory behind it, and looking for the next HDU read past the buffer
  // (AddressSanitizer stops it; the fits fuzzer found the like, and its
  // seeds hold this input).
  const std::string raw =
      HeaderBlock({"SIMPLE  =                    T", "BITPIX  =                    8",
                   "NAXIS   =                    1", "NAXIS1  =            100000000",
                   "NAXIS1  =                 5760"});
  auto hdus = ParseFitsHdus(raw, "short.fits");
  REQUIRE(hdus.ok());
  CHECK(hdus->size() == 1);
  auto header = ParseFitsHeader(raw, "short.fits");
  REQUIRE(header.ok());
  CHECK(header->at("BITPIX").integer == 8);
  // Bytes that are no FITS file, compressed ones among them, are refused
  // under the name given.
  for (const std::string& junk :
       {std::string("not a FITS file"), std::string("\x1f\x8b\x08\0", 4)}) {
    auto refused = ParseFitsHeader(junk, "junk.fits");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().IsInvalidArgument());
    CHECK(std::string(refused.status().message()).find("junk.fits") != std::string::npos);
    CHECK(std::string(refused.status().message()).find("/proc/") == std::string::npos);
  }
}
