#include "starlog/engine/names.h"

#include <catch2/catch.hpp>

using namespace starlog::engine;

TEST_CASE("Collection names follow the naming rules", "[engine][names]") {
  for (const char* good :
       {"HSC/raw/all", "HSC/runs/RC2/w_2025_01/DM-1", "u/alice/tmp+1", "refcats", "a", "x@y:z.w"}) {
    INFO(good);
    CHECK(ValidateCollectionName(good).ok());
  }
  for (const char* bad : {"", "HSC/raw/*", "a?", "a[1]", "{a,b}", "with space", "/lead", "trail/",
                          "a//b", "tab\tname", "quote'"}) {
    INFO(bad);
    auto s = ValidateCollectionName(bad);
    CHECK(s.IsInvalidArgument());
  }
  CHECK(ValidateCollectionName(std::string(kMaxCollectionNameLength, 'a')).ok());
  CHECK(ValidateCollectionName(std::string(kMaxCollectionNameLength + 1, 'a')).IsInvalidArgument());
}

TEST_CASE("Collection names have no '.' or '..' segment and do not start with .starlog",
          "[engine][names]") {
  for (const char* good :
       {"HSC/runs/x.y", "a/.b", "a/..b", "u/alice/.starlog", ".starlogs/x", "HSC/.hidden"}) {
    INFO(good);
    CHECK(ValidateCollectionName(good).ok());
  }
  for (const char* bad : {"HSC/runs/../x", "HSC/./x", "..", ".", "../x", "x/..", "x/.", ".starlog",
                          ".starlog/registry", ".starlog/registry/999999.log"}) {
    INFO(bad);
    CHECK(ValidateCollectionName(bad).IsInvalidArgument());
  }
  CHECK(ValidateCollectionName("HSC/runs/../x").message().find("'..' segment") !=
        std::string_view::npos);
}

TEST_CASE("Text is valid UTF-8 without control characters, within its limit", "[engine][names]") {
  CHECK(ValidateText("doc", "caf\xc3\xa9 \xf0\x9f\x94\xad", 100).ok());
  CHECK(ValidateText("doc", "two\nlines\tand a tab", 100, true).ok());
  auto newline = ValidateText("value", "two\nlines", 100);
  CHECK(newline.IsInvalidArgument());
  CHECK(newline.message().find("control character at byte offset 3") != std::string_view::npos);
  auto bad = ValidateText("value", "ab\xc3(", 100);
  CHECK(bad.message().find("not valid UTF-8 (byte offset 2)") != std::string_view::npos);
  CHECK(ValidateText("doc", std::string("a\0b", 3), 100, true).IsInvalidArgument());
  CHECK(ValidateText("doc", "esc\x1b[31m", 100, true).IsInvalidArgument());
  CHECK(ValidateText("doc", "c1 \xc2\x9b", 100, true).IsInvalidArgument());
  CHECK(ValidateText("doc", "del\x7f", 100, true).IsInvalidArgument());
  CHECK(ValidateText("doc", std::string(100, 'a'), 100).ok());
  auto big = ValidateText("doc", std::string(101, 'a'), 100);
  CHECK(big.message().find("101 bytes; the limit is 100") != std::string_view::npos);
}

TEST_CASE("Collection names may hold letters of any script, not invisible characters",
          "[engine][names]") {
  // The butler's own tests name a run "tésτ".
  for (const char* good : {"t\xC3\xA9s\xCF\x84", "u/j\xC3\xBCrgen/tmp", "\xE5\xA4\xA9\xE6\x96\x87",
                           "calib/\xCE\xB1\xCE\xB2", "run-\xF0\x9F\x94\xAD"}) {
    INFO(good);
    CHECK(ValidateCollectionName(good).ok());
  }
  for (const char* bad : {"a\xC2\xA0z",      // No-break space.
                          "a\xE2\x80\x8Bz",  // Zero-width space.
                          "a\xE2\x80\xAEz",  // Right-to-left override.
                          "a\xE3\x80\x80z",  // Ideographic space.
                          "a\xEF\xBB\xBFz",  // Byte order mark.
                          "a\xC2\x85z",      // C1 control.
                          "a\xEE\x80\x80z",  // Private use.
                          "a\xC3",           // Cut short.
                          "a\xC0\xAFz"}) {   // Overlong '/'.
    INFO(bad);
    CHECK(ValidateCollectionName(bad).IsInvalidArgument());
  }
  CHECK(ValidateCollectionName("a\xE2\x80\x8Bz").message().find("U+200B") !=
        std::string_view::npos);
}

TEST_CASE("An invalid collection name error names the character", "[engine][names]") {
  auto s = ValidateCollectionName("HSC/raw/*");
  CHECK(s.message().find("'*'") != std::string_view::npos);
}

TEST_CASE("Dataset type names are identifiers with optional components", "[engine][names]") {
  for (const char* good : {"raw", "calexp.wcs", "deepCoadd_calexp", "a.b.c", "_x"}) {
    INFO(good);
    CHECK(ValidateDatasetTypeName(good).ok());
  }
  for (const char* bad : {"", "1raw", "calexp.", ".wcs", "a..b", "cal-exp", "a b"}) {
    INFO(bad);
    CHECK(ValidateDatasetTypeName(bad).IsInvalidArgument());
  }
}
