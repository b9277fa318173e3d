// Data-driven clinical cases: tests/clinic/cases.json holds every case, this file is the one runner.
//
// A case runs one engine function (screen, plan, protocol, aftercare, followup, or a pack lookup) on an input
// and checks its JSON result:
//   expect          {"/json/pointer": value}      the value at the pointer equals this
//   expect_contains {"/json/pointer": "text"}     the JSON text of the value there contains this
//   expect_absent   {"/json/pointer": "text"}     … does not contain this
//   depends_on      ["RULE.id", …]                removing any one of these rules from the pack changes the
//                                                 checked values: the case fails if its rule is removed
//   check_schedule  true                          every planned visit keeps its course rule's limits
// Every article statement S1–S16 must be named by a case that has depends_on.

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>

#include "needlework/clinic/engine.hpp"
#include "needlework/clinic/json.hpp"
#include "needlework/knowledge/loader.hpp"
#include "support/data.hpp"

namespace nc = needlework::clinic;
namespace nk = needlework::knowledge;
namespace nu = needlework::units;
using nlohmann::json;

namespace {

const std::filesystem::path source_dir = NEEDLEWORK_SOURCE_DIR;

const json& all_cases() {
  static const json cases = [] {
    std::ifstream in(source_dir / "tests/clinic/cases.json");
    return json::parse(in);
  }();
  return cases;
}

const nk::Pack& shipped_pack(const std::string& id) {
  static std::map<std::string, nk::Pack> cache;
  auto it = cache.find(id);
  if (it == cache.end()) {
    auto p = nk::load_pack(source_dir / "data/packs", id);
    if (!p) throw std::runtime_error(p.error().describe());
    it = cache.emplace(id, std::move(*p)).first;
  }
  return it->second;
}

/// data/skin/regions.toml, as the CLI loads it for the depth guard.
const needlework::physics::RegionCatalog& skin_regions() { return needlework::test::skin_regions(); }

json input_of(const json& c, const std::string& key) {
  if (c.contains(key + "_file")) {
    std::ifstream in(source_dir / c.at(key + "_file").get<std::string>());
    json base = json::parse(in);
    if (c.contains("patch")) base.merge_patch(c.at("patch"));
    return base;
  }
  if (c.contains("template")) {
    json base = all_cases().at("templates").at(c.at("template").get<std::string>());
    if (c.contains("patch")) base.merge_patch(c.at("patch"));
    return base;
  }
  return c.at(key);
}

json error_json(const needlework::Error& e) { return nc::to_json(e); }

json device_json(const nk::Device& d) {
  return json{{"kind", d.kind},
              {"setting", nk::to_string(d.setting)},
              {"needles_min", d.needles_min},
              {"needles_max", d.needles_max ? json(*d.needles_max) : json(nullptr)},
              {"needle_length_mm", {nu::in_mm(d.needle_length.lo), nu::in_mm(d.needle_length.hi)}},
              {"needle_diameter_mm", nu::in_mm(d.needle_diameter)},
              {"material", d.material},
              {"for_cocktail", d.for_cocktail},
              {"areas", d.areas},
              {"price_cents", d.price ? json(d.price->cents) : json(nullptr)},
              {"efficacy", d.efficacy}};
}

/// Runs a case on a pack and returns its JSON result (or {"error": …}).
json run(const json& c, const nk::Pack& pack) {
  const auto kind = c.at("kind").get<std::string>();
  if (kind == "screen" || kind == "plan") {
    auto intake = nc::parse_intake(input_of(c, "intake"), pack);
    if (!intake) return error_json(intake.error());
    if (kind == "screen") return nc::to_json(nc::screen(*intake, pack));
    auto start = c.contains("start") ? *nu::parse_date(c.at("start").get<std::string>()) : intake->date;
    nc::PlanOptions options;
    options.regions = &skin_regions();
    if (c.contains("sessions_per_week")) options.sessions_per_week = c.at("sessions_per_week").get<int>();
    if (c.contains("session_price_cents"))
      options.session_price = nu::Money{c.at("session_price_cents").get<long>(), "USD"};
    auto p = nc::plan(*intake, pack, start, options);
    if (!p) return error_json(p.error());
    return nc::to_json(*p);
  }
  if (kind == "protocol" || kind == "aftercare") {
    auto session = nc::parse_session(input_of(c, "session"), pack);
    if (!session) return error_json(session.error());
    if (kind == "protocol") {
      auto p = nc::protocol(*session, pack, &skin_regions());
      return p ? nc::to_json(*p) : error_json(p.error());
    }
    const auto end = session->start + std::chrono::minutes{c.value("ended_after_min", 30)};
    auto a = nc::aftercare(*session, end, pack);
    if (!a) return error_json(a.error());
    json j = nc::to_json(*a);
    j["markdown"] = nc::render_markdown(*a, pack);
    return j;
  }
  if (kind == "followup") {
    auto in = nc::parse_followup(input_of(c, "followup"), pack);
    if (!in) return error_json(in.error());
    return nc::to_json(nc::followup(*in, pack));
  }
  if (kind == "pack") {
    const auto& q = c.at("query");
    const auto what = q.at("table").get<std::string>();
    const auto id = q.at("id").get<std::string>();
    if (what == "device") {
      const auto* d = pack.find_device(id);
      return d ? device_json(*d) : json(nullptr);
    }
    if (what == "area") {
      const auto* a = pack.find_area(id);
      return a ? json{{"label", a->label}, {"parent", a->parent}} : json(nullptr);
    }
    if (what == "band") {
      const auto* b = pack.find_band(id);
      return b ? json{{"length_mm", {nu::in_mm(b->length.lo), nu::in_mm(b->length.hi)}}} : json(nullptr);
    }
    if (what == "comparison") {
      for (const auto& x : pack.comparisons) {
        if (x.id == id) return json{{"versus", x.versus}, {"claim", x.claim}};
      }
      return nullptr;
    }
    if (what == "mechanism") {
      for (const auto& x : pack.mechanisms) {
        if (x.id == id) return json{{"text", x.text}};
      }
      return nullptr;
    }
    if (what == "course") {
      const auto* r = nc::course_rule_for(pack, id);
      if (r == nullptr) return nullptr;
      return json{{"id", r->id},
                  {"sessions_per_week", {r->sessions_per_week_min, r->sessions_per_week_max}},
                  {"min_interval_days", r->min_interval.count()},
                  {"duration_months", {r->duration_months_min, r->duration_months_max}},
                  {"until_resolved", r->until_resolved}};
    }
    if (what == "hygiene") {
      json out = json::array();
      for (const auto& h : pack.hygiene) out.push_back(h.requirement);
      return out;
    }
  }
  throw std::runtime_error("unknown case kind or query: " + c.dump());
}

/// The values a case checks, as one JSON value: what must change when a rule it depends on is removed.
json signature(const json& c, const json& result) {
  json sig = json::object();
  for (const auto* key : {"expect", "expect_contains", "expect_absent"}) {
    if (!c.contains(key)) continue;
    for (const auto& [ptr, v] : c.at(key).items()) {
      const json::json_pointer p(ptr);
      sig[ptr] = result.contains(p) ? result.at(p) : json("<absent>");
    }
  }
  return sig;
}

std::vector<std::string> check(const json& c, const json& result) {
  std::vector<std::string> failures;
  if (c.contains("expect")) {
    for (const auto& [ptr, want] : c.at("expect").items()) {
      const json::json_pointer p(ptr);
      if (!result.contains(p)) {
        failures.push_back(ptr + " is absent");
      } else if (result.at(p) != want) {
        failures.push_back(ptr + " is " + result.at(p).dump() + ", expected " + want.dump());
      }
    }
  }
  if (c.contains("expect_contains")) {
    for (const auto& [ptr, want] : c.at("expect_contains").items()) {
      const json::json_pointer p(ptr);
      const auto text = result.contains(p) ? result.at(p).dump() : std::string();
      for (const auto& w : want.is_array() ? want : json::array({want})) {
        if (text.find(w.get<std::string>()) == std::string::npos) {
          failures.push_back(ptr + " does not contain " + w.dump() + ": " + text.substr(0, 400));
        }
      }
    }
  }
  if (c.contains("expect_absent")) {
    for (const auto& [ptr, bad] : c.at("expect_absent").items()) {
      const json::json_pointer p(ptr);
      const auto text = result.contains(p) ? result.at(p).dump() : std::string();
      if (text.find(bad.get<std::string>()) != std::string::npos) {
        failures.push_back(ptr + " contains " + bad.dump());
      }
    }
  }
  return failures;
}

/// Every visit of every planned area keeps the gap and the weekly maximum of its course rule.
void check_schedule(const json& plan, const nk::Pack& pack) {
  ASSERT_TRUE(plan.contains("areas")) << plan.dump();
  for (const auto& a : plan.at("areas")) {
    if (a.at("refused").get<bool>()) continue;
    const auto rule_id = a.at("course_rule").get<std::string>();
    const auto& courses = pack.courses;
    auto rule = std::find_if(courses.begin(), courses.end(), [&](const auto& r) { return r.id == rule_id; });
    ASSERT_NE(rule, courses.end()) << rule_id;
    std::vector<nu::Date> dates;
    for (const auto& v : a.at("visits")) dates.push_back(*nu::parse_date(v.at("date").get<std::string>()));
    ASSERT_FALSE(dates.empty());
    for (std::size_t i = 1; i < dates.size(); ++i) {
      EXPECT_GE((dates[i] - dates[i - 1]).count(), rule->min_interval.count()) << a.at("area");
    }
    for (const auto& d : dates) {
      const auto in_week = std::count_if(dates.begin(), dates.end(),
                                         [&](const auto& x) { return x >= d && x < d + nu::Days{7}; });
      EXPECT_LE(in_week, rule->sessions_per_week_max) << a.at("area") << " week from " << nu::format_date(d);
    }
    EXPECT_LT(dates.back(), *nu::parse_date(a.at("end_date").get<std::string>()));
  }
}

class ClinicalCase : public ::testing::TestWithParam<std::size_t> {};

TEST_P(ClinicalCase, Holds) {
  const json& c = all_cases().at("cases").at(GetParam());
  const auto& pack = shipped_pack(c.value("pack", "seed"));
  const json result = run(c, pack);
  for (const auto& f : check(c, result)) ADD_FAILURE() << f;
  if (c.value("check_schedule", false)) check_schedule(result, pack);

  // The case must fail if a rule it depends on is removed.
  for (const auto& rule : c.value("depends_on", json::array())) {
    nk::Pack mutated = pack;
    ASSERT_TRUE(mutated.erase_rule(rule.get<std::string>())) << "no rule " << rule << " in the pack";
    const json without = run(c, mutated);
    EXPECT_NE(signature(c, result), signature(c, without))
        << "removing " << rule << " does not change what this case checks";
  }
}

std::string case_name(const ::testing::TestParamInfo<std::size_t>& info) {
  auto name = all_cases().at("cases").at(info.param).at("name").get<std::string>();
  for (auto& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

std::vector<std::size_t> case_indices() {
  std::vector<std::size_t> out(all_cases().at("cases").size());
  std::iota(out.begin(), out.end(), 0);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Cases, ClinicalCase, ::testing::ValuesIn(case_indices()), case_name);

TEST(ClinicalCases, EveryArticleStatementHasACaseThatDependsOnItsRules) {
  std::set<std::string> covered;
  for (const auto& c : all_cases().at("cases")) {
    if (c.value("depends_on", json::array()).empty()) continue;
    for (const auto& s : c.value("statements", json::array())) covered.insert(s.get<std::string>());
  }
  for (int i = 1; i <= 16; ++i) {
    EXPECT_TRUE(covered.contains("S" + std::to_string(i))) << "no case with depends_on covers S" << i;
  }
}

TEST(ClinicalCases, EveryRuleOfTheStatementMapExists) {
  std::ifstream in(source_dir / "docs/statement-map.md");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(text.empty());
  const auto lit = text.find("\n## ", text.find("## Sentence by sentence") + 1);
  const auto& seed = shipped_pack("seed");
  const auto& literature = shipped_pack("literature");
  std::set<std::string> ids;
  for (const auto& [table, id] : literature.rule_index()) ids.insert(id);
  for (const auto& [table, id] : seed.rule_index()) ids.insert(id);
  static const std::regex rule_ref(
      "`((?:CI|CAUTION|CONSULT|BAND|LIMIT|COURSE|HOME|STEP|HYG|AFTER|HEAL|REACT|FU|MECH|CMP)\\.[A-Za-z0-9_.]+"
      ")`");
  int checked = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), rule_ref); it != std::sregex_iterator();
       ++it) {
    const auto id = (*it)[1].str();
    const bool in_seed_section = static_cast<std::size_t>(it->position()) < lit;
    if (in_seed_section) {
      bool found = false;
      for (const auto& [table, sid] : seed.rule_index()) found = found || sid == id;
      EXPECT_TRUE(found) << id << " is named in the seed part of the statement map but is not a seed rule";
    } else {
      EXPECT_TRUE(ids.contains(id)) << id << " is named in the statement map but is not a rule";
    }
    ++checked;
  }
  EXPECT_GT(checked, 40);
}

}  // namespace
