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
  // "?" is one character of a name in any script, not one byte of it.
  CHECK(GlobMatch("t?s*", "t\xC3\xA9s\xCF\x84"));
  CHECK_FALSE(GlobMatch("t??s*", "t\xC3\xA9s\xCF\x84"));
  CHECK(GlobMatch("*?s?", "t\xC3\xA9s\xCF\x84"));
  CHECK(GlobMatch("*\xCF\x84", "t\xC3\xA9s\xCF\x84"));
  CHECK(ValidateGlob("a[bc").IsInvalidArgument());
  CHECK_FALSE(GlobMatch("a[bc", "ab"));
  // No exponential blow-up on a pathological pattern.
  CHECK_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*b", std::string(200, 'a')));
}

TEST_CASE("Where clauses of today's conjunction syntax parse as before", "[engine][where]") {
  auto w = WhereClause::Parse(
      "instrument = 'HSC' and detector IN (1, 2, 3) AND exposure.observation_type=science "
      "AND day_obs >= 20240101 AND exposure IN (10..20)");
  REQUIRE(w.ok());
  REQUIRE(w->root);
  const WhereNode& all = *w->root;
  CHECK(all.kind == WhereNode::Kind::kAnd);
  REQUIRE(all.children.size() == 5);
  CHECK(all.children[0].lhs.name == std::vector<std::string>{"instrument"});
  CHECK(all.children[0].rhs.value == codec::FieldValue(std::string("HSC")));
  CHECK(all.children[1].kind == WhereNode::Kind::kIn);
  CHECK(all.children[1].items.size() == 3);
  CHECK(all.children[2].lhs.name == std::vector<std::string>{"exposure", "observation_type"});
  CHECK(all.children[2].rhs.kind == WhereOperand::Kind::kName);  // A word if no field.
  CHECK(all.children[3].op == WhereNode::Op::kGe);
  REQUIRE(all.children[4].ranges.size() == 1);
  CHECK(all.children[4].ranges[0].Contains(10));
  CHECK(all.children[4].ranges[0].Contains(20));
  CHECK_FALSE(all.children[4].ranges[0].Contains(21));
  CHECK(w->ToString() ==
        "instrument = 'HSC' AND detector IN (1, 2, 3) AND exposure.observation_type = science "
        "AND day_obs >= 20240101 AND exposure IN (10..20)");
  CHECK(WhereClause::Parse("")->empty());
  CHECK(WhereClause::Parse("   ")->empty());
}

TEST_CASE("Malformed where clauses say what was expected where", "[engine][where]") {
  for (const char* bad :
       {"detector", "detector ==", "detector = 1 detector = 2", "detector IN 1,2",
        "detector IN (1, 2", "a = 'unclosed", "exposure IN (a..b)", "= 5", "detector = 1 AND",
        "(detector = 1", "detector = 1)", "NOT", "detector IN (1..5:0)", "a = 1.5", "a NOT = 1"}) {
    INFO(bad);
    auto w = WhereClause::Parse(bad);
    REQUIRE(w.status().IsInvalidArgument());
    CHECK(std::string(w.status().message()).find("expected") != std::string::npos);
    CHECK(std::string(w.status().message()).find("at column") != std::string::npos);
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
  CHECK(*EditChain(cur, ChainEdit::kRemove, {"q", "a"}) == std::vector<std::string>{"b", "c"});
  CHECK(*EditChain(cur, ChainEdit::kPop, {}) == std::vector<std::string>{"b", "c"});
  CHECK(*EditChain(cur, ChainEdit::kPop, {"2", "0"}) == std::vector<std::string>{"b"});
  CHECK(EditChain(cur, ChainEdit::kPop, {"3"}).status().IsInvalidArgument());
  CHECK(EditChain({}, ChainEdit::kPop, {}).status().IsInvalidArgument());
  CHECK(ParseChainEdit("prepend").ok());
  CHECK(ParseChainEdit("insert").status().IsInvalidArgument());
}
