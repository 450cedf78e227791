#include <catch2/catch.hpp>

#include "starlog/engine/chain_edit.h"
#include "starlog/engine/glob.h"
#include "starlog/engine/where.h"

using namespace starlog;
using namespace starlog::engine;

TEST_CASE("Globs match collection names", "[engine][glob]") {
  CHECK(GlobMatch("HSC/*", "HSC/raw/all"));
  CHECK(GlobMatch("HSC/calib/DM-?", "HSC/calib/DM-1"));
  CHECK_FALSE(GlobMatch("HSC/calib/DM-?", "HSC/calib/DM-12"));
  CHECK(GlobMatch("u/[ab]*", "u/alice/x"));
  CHECK_FALSE(GlobMatch("u/[!ab]*", "u/alice/x"));
  CHECK(GlobMatch("*", ""));
  CHECK(GlobMatch("a*b*c", "axxbyyc"));
  CHECK_FALSE(GlobMatch("a*b*c", "axxbyy"));
  CHECK(GlobMatch("[0-9]*", "7up"));
  CHECK_FALSE(GlobMatch("refcats", "refcats2"));
  CHECK(ValidateGlob("a[bc").IsInvalidArgument());
  CHECK_FALSE(GlobMatch("a[bc", "ab"));
  // No exponential blow-up on a pathological pattern.
  CHECK_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*b", std::string(200, 'a')));
}

TEST_CASE("Where clauses parse into typed terms", "[engine][where]") {
  auto w = WhereClause::Parse(
      "instrument = 'HSC' and detector IN (1, 2, 3) AND exposure.observation_type=science "
      "AND day_obs >= 20240101 AND exposure IN (10..20)");
  REQUIRE(w.ok());
  REQUIRE(w->terms.size() == 6);
  CHECK(w->terms[0].field == "instrument");
  CHECK(w->terms[0].values[0] == codec::FieldValue(std::string("HSC")));
  CHECK(w->terms[1].op == WhereTerm::Op::kIn);
  CHECK(w->terms[1].values.size() == 3);
  CHECK(w->terms[2].element == "exposure");
  CHECK(w->terms[2].field == "observation_type");
  CHECK(w->terms[3].op == WhereTerm::Op::kGe);
  CHECK(w->terms[4].op == WhereTerm::Op::kGe);
  CHECK(w->terms[5].op == WhereTerm::Op::kLe);
  CHECK(w->terms[1].Matches(int64_t{2}));
  CHECK_FALSE(w->terms[1].Matches(int64_t{4}));
  CHECK_FALSE(w->terms[1].Matches(std::string("2")));
  CHECK(WhereClause::Parse("")->empty());
}

TEST_CASE("Malformed where clauses say what was expected where", "[engine][where]") {
  for (const char* bad :
       {"detector", "detector ==", "detector = 1 OR detector = 2", "detector IN 1,2",
        "detector IN (1, 2", "a = 'unclosed", "exposure IN (a..b)", "= 5", "detector = 1 AND"}) {
    INFO(bad);
    auto w = WhereClause::Parse(bad);
    REQUIRE(w.status().IsInvalidArgument());
    CHECK(std::string(w.status().message()).find("expected") != std::string::npos);
  }
}

TEST_CASE("Chain edits compute the new list of children", "[engine][chain]") {
  const std::vector<std::string> cur = {"a", "b", "c"};
  CHECK(*EditChain(cur, ChainEdit::kRedefine, {"x"}) == std::vector<std::string>{"x"});
  CHECK(*EditChain(cur, ChainEdit::kPrepend, {"c", "z"}) ==
        std::vector<std::string>{"c", "z", "a", "b"});
  CHECK(*EditChain(cur, ChainEdit::kExtend, {"a", "z"}) ==
        std::vector<std::string>{"b", "c", "a", "z"});
  CHECK(*EditChain(cur, ChainEdit::kRemove, {"b"}) == std::vector<std::string>{"a", "c"});
  CHECK(EditChain(cur, ChainEdit::kRemove, {"q"}).status().IsNotFound());
  CHECK(*EditChain(cur, ChainEdit::kPop, {}) == std::vector<std::string>{"b", "c"});
  CHECK(*EditChain(cur, ChainEdit::kPop, {"2", "0"}) == std::vector<std::string>{"b"});
  CHECK(EditChain(cur, ChainEdit::kPop, {"3"}).status().IsInvalidArgument());
  CHECK(EditChain({}, ChainEdit::kPop, {}).status().IsInvalidArgument());
  CHECK(ParseChainEdit("prepend").ok());
  CHECK(ParseChainEdit("insert").status().IsInvalidArgument());
}
