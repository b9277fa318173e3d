// The aftercare sheet's "why these windows" lines: each rule that names the resealing output it rests on
// (`rests_on` in the pack) is compared with that output of data/physics/resealing.toml.

#include <gtest/gtest.h>

#include <string>

#include "needlework/clinic/engine.hpp"
#include "support/data.hpp"
#include "support/packs.hpp"

namespace nc = needlework::clinic;
namespace nu = needlework::units;
namespace ph = needlework::physics;

namespace {

nc::SessionInput session(double length_mm) {
  return {"C",
          "face",
          nu::millimetres(length_mm),
          "dermaroller",
          false,
          *nu::parse_date_time("2026-11-23T10:00:00Z"),
          {},
          {}};
}

const ph::ResealingData& resealing() {
  static const ph::ResealingData d = needlework::test::load_resealing();
  return d;
}

const std::string* line_of(const nc::AftercareSheet& sheet, const std::string& rule) {
  for (const auto& l : sheet.channels)
    if (l.find("(" + rule + ") rests on") != std::string::npos) return &l;
  return nullptr;
}

// The seed pack: the first day rests on the barrier, the healing phase on the channels.
TEST(AftercareResealing, EachWindowNamesTheOutputItRestsOn) {
  const auto p = needlework::test::load_pack("literature");
  const auto s = session(1.0);
  auto sheet = nc::aftercare(s, s.start, p, &resealing());
  ASSERT_TRUE(sheet) << sheet.error().describe();
  const auto* first = line_of(*sheet, "AFTER.first_day");
  ASSERT_NE(first, nullptr);
  EXPECT_NE(first->find("barrier recovery"), std::string::npos) << *first;
  EXPECT_NE(first->find("about 2 h uncovered"), std::string::npos) << *first;  // Gupta 2011, not occluded
  EXPECT_NE(first->find("about 40 h covered"), std::string::npos) << *first;   // Gupta 2011, occluded
  EXPECT_NE(first->find("The 24 h window covers uncovered skin; covered skin takes longer."),
            std::string::npos)
      << *first;
  const auto* healing = line_of(*sheet, "AFTER.while_healing");
  ASSERT_NE(healing, nullptr);
  EXPECT_NE(healing->find("channel closure"), std::string::npos) << *healing;
  EXPECT_NE(healing->find("61 h"), std::string::npos) << *healing;  // PMC8259462
  // 1 mm: medium needles heal in 4–5 days (literature pack), longer than the channels' 61 h.
  EXPECT_NE(healing->find("window covers both"), std::string::npos) << *healing;
  const auto text = nc::render_text(*sheet, p);
  EXPECT_NE(text.find("Why these windows"), std::string::npos);
}

// A window shorter than the output it rests on is said, not hidden.
TEST(AftercareResealing, AWindowShorterThanItsOutputIsSaid) {
  auto p = needlework::test::load_pack("seed");
  for (auto& rule : p.aftercare)
    if (rule.id == "AFTER.first_day") rule.duration = std::chrono::hours{1};
  const auto s = session(1.0);
  auto sheet = nc::aftercare(s, s.start, p, &resealing());
  ASSERT_TRUE(sheet) << sheet.error().describe();
  const auto* first = line_of(*sheet, "AFTER.first_day");
  ASSERT_NE(first, nullptr);
  EXPECT_NE(first->find("ends before it, even uncovered"), std::string::npos) << *first;
}

// Without the resealing data, or for a rule without `rests_on`, there is no such line.
TEST(AftercareResealing, NoDataOrNoRestsOnGivesNoLine) {
  auto p = needlework::test::load_pack("seed");
  const auto s = session(1.0);
  auto sheet = nc::aftercare(s, s.start, p);
  ASSERT_TRUE(sheet);
  EXPECT_TRUE(sheet->channels.empty());
  for (auto& rule : p.aftercare) rule.rests_on.clear();
  sheet = nc::aftercare(s, s.start, p, &resealing());
  ASSERT_TRUE(sheet);
  EXPECT_TRUE(sheet->channels.empty());
}

}  // namespace
