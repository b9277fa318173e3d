// The ids of the refusals that apply no pack rule (units/refusals.hpp) are documented where a client of the
// API and a reader of the store look for them: each in docs/server.md's error table and in docs/store.md.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "needlework/units/refusals.hpp"

namespace {

std::string read_doc(const char* name) {
  std::ifstream in(std::filesystem::path(NEEDLEWORK_SOURCE_DIR) / "docs" / name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(RefusalIds, EachIsDocumentedInServerAndStoreDocs) {
  const auto server = read_doc("server.md");
  const auto store = read_doc("store.md");
  ASSERT_FALSE(server.empty());
  ASSERT_FALSE(store.empty());
  for (const auto& r : needlework::refusals::table) {
    const auto cell = "| `" + std::string(r.id) + "` |";
    EXPECT_NE(server.find(cell), std::string::npos) << r.id << " has no row in docs/server.md";
    EXPECT_NE(store.find("`" + std::string(r.id) + "`"), std::string::npos)
        << r.id << " is not in docs/store.md";
  }
}

TEST(RefusalIds, AreUniqueNamespacedAndMeaningful) {
  std::set<std::string_view> seen;
  for (const auto& r : needlework::refusals::table) {
    EXPECT_TRUE(seen.insert(r.id).second) << r.id << " twice";
    const auto dot = r.id.find('.');
    ASSERT_NE(dot, std::string_view::npos) << r.id;
    const auto space = r.id.substr(0, dot);
    EXPECT_TRUE(space == "RECORD" || space == "PACK" || space == "PHYSICS") << r.id;
    EXPECT_FALSE(r.meaning.empty()) << r.id;
  }
}

}  // namespace
