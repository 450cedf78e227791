#include "engine/names.h"

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
