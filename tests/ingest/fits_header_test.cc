// FITS headers read whole: long strings over CONTINUE cards, HIERARCH
// keywords in the primary and in extension HDUs, every HDU of a
// multi-extension file.

#include "starlog/ingest/fits_header.h"

#include <catch2/catch.hpp>

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
