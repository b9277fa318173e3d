// Properties of the clinical engine that hold for every rule or every date, beyond the listed cases.

#include "needlework/clinic/engine.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "needlework/knowledge/loader.hpp"

namespace nc = needlework::clinic;
namespace nk = needlework::knowledge;
namespace nu = needlework::units;

namespace {

const nk::Pack& pack(const std::string& id) {
  static std::map<std::string, nk::Pack> cache;
  auto it = cache.find(id);
  if (it == cache.end()) {
    auto p = nk::load_pack(std::filesystem::path(NEEDLEWORK_DATA_DIR) / "packs", id);
    EXPECT_TRUE(p) << p.error().describe();
    it = cache.emplace(id, std::move(*p)).first;
  }
  return it->second;
}

nc::Intake cleared_intake() {
  nc::Intake in;
  in.client = {"C-P", "Property", std::nullopt};
  in.date = *nu::parse_date("2026-11-23");
  in.areas = {{"face", {"pores"}}, {"neck", {"complexion"}}};
  in.clearance = nc::Clearance{"Dr. P", in.date, {}};
  return in;
}

}  // namespace

// The article's floor: nobody it turns away is ever cleared, wherever the condition is and whatever the
// dermatologist reviewed.
TEST(ScreeningProperty, NoArticleContraindicationIsEverCleared) {
  for (const auto* pack_id : {"seed", "literature"}) {
    const auto& p = pack(pack_id);
    for (const auto& rule : p.contraindications) {
      if (rule.source != "S15") continue;
      const auto* cond = p.find_condition(rule.condition);
      ASSERT_NE(cond, nullptr);
      std::vector<std::vector<std::string>> placements{{}};
      if (cond->scope == nk::ConditionScope::local) placements = {{}, {"face"}, {"neck"}, {"body"}};
      for (const auto& where : placements) {
        auto in = cleared_intake();
        in.conditions.push_back({rule.condition, where, std::nullopt});
        in.clearance->reviewed = {rule.condition};
        const auto s = nc::screen(in, p);
        EXPECT_NE(s.decision, nk::Decision::cleared) << pack_id << " " << rule.id << " at " << where.size();
        EXPECT_FALSE(s.reasons.empty());
      }
    }
  }
}

TEST(ScreeningProperty, ACleanIntakeWithClearanceIsCleared) {
  EXPECT_TRUE(nc::screen(cleared_intake(), pack("seed")).cleared());
  EXPECT_TRUE(nc::screen(cleared_intake(), pack("literature")).cleared());
}

TEST(ScreeningProperty, AConditionNoRuleGradesIsReferredNotCleared) {
  auto p = pack("seed");
  ASSERT_TRUE(p.erase_rule("CAUTION.stress"));
  auto in = cleared_intake();
  in.conditions.push_back({"stress", {}, std::nullopt});
  const auto s = nc::screen(in, p);
  EXPECT_EQ(s.decision, nk::Decision::refer);
  EXPECT_EQ(s.reasons.at(0).rule, "GAP.stress");
}

// Whatever the start date, a planned course keeps its rule's interval and weekly maximum.
TEST(PlanningProperty, EveryStartDateGivesALawfulSchedule) {
  for (const auto* pack_id : {"seed", "literature"}) {
    const auto& p = pack(pack_id);
    for (int offset = 0; offset < 40; ++offset) {
      const auto start = *nu::parse_date("2026-11-23") + nu::Days{offset};
      auto result = nc::plan(cleared_intake(), p, start);
      ASSERT_TRUE(result) << result.error().describe();
      for (const auto& a : result->areas) {
        ASSERT_FALSE(a.refused);
        const auto* rule = nc::course_rule_for(p, a.band);
        ASSERT_NE(rule, nullptr);
        std::vector<nu::Date> earlier;
        for (const auto& v : a.visits) {
          EXPECT_TRUE(nc::check_interval(earlier, v.date, *rule))
              << pack_id << " " << nu::format_date(v.date);
          earlier.push_back(v.date);
        }
        EXPECT_GE(a.visits.size(), 8u * static_cast<unsigned>(rule->sessions_per_week_min));
      }
    }
  }
}

TEST(Interval, RefusesTooCloseAndTooMany) {
  const auto& rule = *nc::course_rule_for(pack("seed"), "medium");
  const auto d0 = *nu::parse_date("2026-11-23");
  auto close = nc::check_interval({d0}, d0 + nu::Days{2}, rule);
  ASSERT_FALSE(close);
  EXPECT_EQ(close.error().code, needlework::ErrorCode::refused);
  EXPECT_NE(close.error().message.find("at least 3 days"), std::string::npos);
  EXPECT_TRUE(nc::check_interval({d0}, d0 + nu::Days{3}, rule));
  // Sessions on day 0 and day 3; a third on day 6 would be three within seven days.
  auto third = nc::check_interval({d0, d0 + nu::Days{3}}, d0 + nu::Days{6}, rule);
  ASSERT_FALSE(third);
  EXPECT_NE(third.error().message.find("at most 2 a week"), std::string::npos);
  EXPECT_TRUE(nc::check_interval({d0, d0 + nu::Days{3}}, d0 + nu::Days{7}, rule));
  // Earlier dates after the proposed one count too (a session booked into a gap).
  EXPECT_FALSE(nc::check_interval({d0 + nu::Days{2}}, d0, rule));
}

TEST(Bands, BoundariesBelongToBothBands) {
  const auto& p = pack("seed");
  auto at = [&](double mm) {
    std::vector<std::string> names;
    for (const auto* b : nc::bands_for_length(p, nu::millimetres(mm))) names.push_back(b->name);
    return names;
  };
  EXPECT_EQ(at(0.2), (std::vector<std::string>{"short"}));
  EXPECT_EQ(at(0.5), (std::vector<std::string>{"short", "medium"}));
  EXPECT_EQ(at(1.5), (std::vector<std::string>{"medium", "long"}));
  EXPECT_EQ(at(3.0), (std::vector<std::string>{"long"}));
  EXPECT_TRUE(at(3.5).empty());
}

TEST(Allowance, NarrowsWithEveryLimitOnTheAreaAndItsAncestors) {
  const auto& p = pack("literature");
  const auto eyes = nc::allowance_for_area(p, "periorbital");
  EXPECT_DOUBLE_EQ(nu::in_mm(eyes.length.lo), 0.25);
  EXPECT_DOUBLE_EQ(nu::in_mm(eyes.length.hi), 0.5);
  EXPECT_FALSE(eyes.empty);
  EXPECT_TRUE(nc::allowance_for_area(p, "scalp").rules.empty());
}

TEST(Aftercare, HealingWindowTakesTheLongerBandAtABoundary) {
  const auto& p = pack("literature");
  nc::SessionInput s{
      "C", "face", nu::millimetres(0.5), "dermaroller", false, *nu::parse_date_time("2026-11-23T10:00:00Z"),
      {},  {}};
  auto sheet = nc::aftercare(s, s.start, p);
  ASSERT_TRUE(sheet) << sheet.error().describe();
  // 0.5 mm is short (2–3 d) and medium (4–5 d): the sheet uses the longer window.
  ASSERT_EQ(sheet->phases.size(), 2u);
  EXPECT_EQ(nu::format_date_time(*sheet->phases[1].until), "2026-11-28T10:00:00Z");
  const auto md = nc::render_markdown(*sheet, p);
  EXPECT_NE(md.find("# Aftercare"), std::string::npos);
  const auto text = nc::render_text(*sheet, p);
  EXPECT_EQ(text.find("# Aftercare"), std::string::npos);
  EXPECT_NE(text.find("Aftercare after micro-needling"), std::string::npos);
}

TEST(Followup, UncoveredObservationIsSeeADoctor) {
  auto p = pack("seed");
  ASSERT_TRUE(p.erase_rule("FU.dryness"));
  const auto r = nc::followup({std::chrono::hours{30}, {"dryness"}}, p);
  EXPECT_EQ(r.triage, nk::Triage::see_doctor);
  EXPECT_EQ(r.reasons.at(0).rule, "GAP.dryness");
  EXPECT_EQ(nc::followup({std::chrono::hours{30}, {}}, p).triage, nk::Triage::normal);
}

// ---- home maintenance (S2): clinic::check_home_session ----------------------------------------------------

namespace {

const nk::Maintenance& home_rule() { return pack("seed").maintenance.front(); }
nu::Date day(const char* text) { return *nu::parse_date(text); }

}  // namespace

// The case: a home session two days after the previous one is refused with the rule, its source and
// the earliest allowed date — not with the rule's whole note (its derivation), which is the rule page's.
TEST(HomeSession, TwoDaysAfterThePreviousOneIsRefusedWithTheRule) {
  const nc::HomeHistory h{{day("2026-12-01")}, {}};
  auto r = nc::check_home_session(home_rule(), h, day("2026-12-03"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, needlework::ErrorCode::refused);
  EXPECT_EQ(r.error().rule, "HOME.maintenance");
  EXPECT_EQ(r.error().where, "performed_on");
  for (const std::string& part : std::vector<std::string>{"2 days from the home session on 2026-12-01",
                                                          "(S2)", "earliest allowed date is 2026-12-08"}) {
    EXPECT_NE(r.error().message.find(part), std::string::npos) << part << ": " << r.error().message;
  }
  EXPECT_EQ(r.error().message.find(home_rule().note), std::string::npos) << r.error().message;
  EXPECT_TRUE(nc::check_home_session(home_rule(), h, day("2026-12-08")));
  EXPECT_TRUE(nc::check_home_session(home_rule(), {}, day("2026-12-03"))) << "the first is always allowed";
}

// The interval holds both ways: a session logged late for a day before an earlier-logged one is checked too,
// and the earliest date clears every session, not only the latest.
TEST(HomeSession, TheIntervalHoldsOnBothSidesAndTheEarliestDateClearsAll) {
  const nc::HomeHistory h{{day("2026-12-01"), day("2026-12-10")}, {}};
  EXPECT_FALSE(nc::check_home_session(home_rule(), h, day("2026-12-05")));
  EXPECT_FALSE(nc::check_home_session(home_rule(), h, day("2026-11-27")));
  EXPECT_TRUE(nc::check_home_session(home_rule(), h, day("2026-11-24")));
  EXPECT_EQ(nc::earliest_home_session(home_rule(), h, day("2026-12-02")), day("2026-12-17"));
  EXPECT_EQ(nc::earliest_home_session(home_rule(), h, day("2026-11-20")), day("2026-11-20"));
}

// After a professional session the course rule's interval applies (keeps_course_interval in the seed), and
// names the course rule; before one it does not (the session start checks its own course).
TEST(HomeSession, AfterAProfessionalSessionTheCourseIntervalApplies) {
  ASSERT_TRUE(home_rule().keeps_course_interval);
  const nc::HomeHistory h{{}, {{day("2026-12-01"), "COURSE.long", "F8.harris2015", nu::Days{28}}}};
  auto r = nc::check_home_session(home_rule(), h, day("2026-12-15"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().rule, "COURSE.long");
  EXPECT_NE(r.error().message.find("earliest allowed date is 2026-12-29"), std::string::npos)
      << r.error().message;
  EXPECT_TRUE(nc::check_home_session(home_rule(), h, day("2026-12-29")));
  EXPECT_TRUE(nc::check_home_session(home_rule(), h, day("2026-11-28")));
  nk::Maintenance independent = home_rule();
  independent.keeps_course_interval = false;
  EXPECT_TRUE(nc::check_home_session(independent, h, day("2026-12-15")));
}

// A rule allowing two a week with a 3-day gap: the per-week cap refuses a third within 7 days even when each
// gap is long enough.
TEST(HomeSession, ThePerWeekCapHoldsBesideTheGap) {
  nk::Maintenance twice = home_rule();
  twice.sessions_per_week = 2;
  twice.min_interval = nu::Days{3};
  const nc::HomeHistory h{{day("2026-12-01"), day("2026-12-04")}, {}};
  auto r = nc::check_home_session(twice, h, day("2026-12-07"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("3 home sessions in the week"), std::string::npos) << r.error().message;
  EXPECT_TRUE(nc::check_home_session(twice, h, day("2026-12-08")));
}
