// Screening age, the physics dose in the chart, export, backup and restore — on both backends where the
// feature is backend-neutral, on SQLite where it is SQLite's (the online backup API).

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "needlework/clinic/dose.hpp"
#include "needlework/store/export.hpp"
#include "store_fixture.hpp"
#include "support/data.hpp"

using needlework::ErrorCode;
using nlohmann::json;

namespace {

const std::vector<needlework::physics::Device>& devices() {
  static const std::vector<needlework::physics::Device> catalog = needlework::test::load_all_devices();
  return catalog;
}

/// The seed pack with a screening validity rule, as a clinic's own pack would add it.
const nk::Pack& seed_with_validity(int days) {
  static std::map<int, nk::Pack> packs;
  auto [it, inserted] = packs.try_emplace(days, seed());
  if (inserted) {
    nk::ScreeningValidity v;
    v.id = "SCREEN.valid_for";
    v.source = "S10";
    v.max_age = std::chrono::days{days};
    it->second.screening_validity.push_back(v);
  }
  return it->second;
}

class RecordsTest : public StoreTest {
 protected:
  /// A ClinicStore that can compute doses (it has the device catalog).
  ns::ClinicStore with_devices() {
    return ns::ClinicStore(*store_, seed(), {.regions = &regions(), .devices = &devices()}, dir_ / "photos");
  }

  /// A started session of a ready client on a 1 mm 192-needle roller.
  ns::Id started(const std::string& client, const char* lot, const char* when = "2026-11-24T10:00:00Z") {
    ready_client(client);
    const ns::Id r = assigned_roller(client, lot, "1");
    auto s = start(client, r, when);
    EXPECT_TRUE(s) << s.error().describe();
    return s ? s->session.id : 0;
  }
};
NEEDLEWORK_INSTANTIATE_STORE_TESTS(RecordsTest);

// ---- screening age ---------------------------------------------------------------------------------------

TEST_P(RecordsTest, AScreeningOlderThanThePackAllowsIsRefusedAndOneJustInsideIsAccepted) {
  reopen(seed_with_validity(30));
  ready_client("C-1");  // intake dated 2026-11-23
  const ns::Id r1 = assigned_roller("C-1", "L-1", "1");
  auto late = start("C-1", r1, "2026-12-24T10:00:00Z");  // 31 days
  expect_refused(late, "31 days old");
  ASSERT_FALSE(late);
  EXPECT_NE(late.error().message.find("SCREEN.valid_for"), std::string::npos) << late.error().message;
  EXPECT_EQ(late.error().where, "intake");

  ready_client("C-2");
  const ns::Id r2 = assigned_roller("C-2", "L-1", "2");
  auto in_time = start("C-2", r2, "2026-12-23T10:00:00Z");  // 30 days
  EXPECT_TRUE(in_time) << in_time.error().describe();
}

TEST_P(RecordsTest, WithoutAValidityRuleAnOldScreeningStillCounts) {
  ready_client("C-1");
  const ns::Id r = assigned_roller("C-1", "L-1", "1");
  auto s = start("C-1", r, "2027-06-01T10:00:00Z");
  EXPECT_TRUE(s) << s.error().describe();
}

TEST_P(RecordsTest, TheStrictestValidityRuleWins) {
  nk::Pack pack = seed_with_validity(60);
  nk::ScreeningValidity shorter;
  shorter.id = "SCREEN.clinic_policy";
  shorter.source = "S10";
  shorter.max_age = std::chrono::days{7};
  pack.screening_validity.push_back(shorter);
  reopen(pack);
  ready_client("C-1");
  const ns::Id r = assigned_roller("C-1", "L-1", "1");
  expect_refused(start("C-1", r, "2026-12-01T10:00:00Z"), "SCREEN.clinic_policy");
}

// ---- the dose from physics -------------------------------------------------------------------------------

TEST_P(RecordsTest, TheDoseFromPhysicsIsChartedAndReproducible) {
  const ns::Id sid = started("C-1", "L-1");
  auto clinic = with_devices();
  ns::Chart c;
  c.passes = 15;
  c.dose_from_physics = true;
  const auto before = audit_count();
  auto charted = clinic.chart(by("2026-11-24T10:30:00Z"), sid, c);
  ASSERT_TRUE(charted) << charted.error().describe();
  ASSERT_TRUE(charted->density && charted->effective_depth);
  // 15 passes of a 192-needle drum: of the order of the 250 /cm² target (FACTS §2), never zero.
  EXPECT_GT(nu::in_per_cm2(*charted->density), 100.0);
  EXPECT_LT(nu::in_per_cm2(*charted->density), 600.0);
  EXPECT_GT(nu::in_mm(*charted->effective_depth), 0.0);
  EXPECT_LT(nu::in_mm(*charted->effective_depth), 1.0);  // less than the 1 mm needle (η < 1)
  EXPECT_NE(charted->notes.find("dose from physics"), std::string::npos) << charted->notes;
  EXPECT_NE(charted->notes.find("roller-192"), std::string::npos) << charted->notes;
  EXPECT_EQ(audit_count(), before + 1);

  // Stored, and the same seed gives the same figures.
  auto stored = store_->find_session(sid);
  ASSERT_TRUE(stored && *stored);
  EXPECT_DOUBLE_EQ(nu::in_per_cm2(*(*stored)->density), nu::in_per_cm2(*charted->density));
  auto again = clinic.chart(by("2026-11-24T10:31:00Z"), sid, c);
  ASSERT_TRUE(again);
  EXPECT_DOUBLE_EQ(nu::in_per_cm2(*again->density), nu::in_per_cm2(*charted->density));

  // More passes put more punctures in.
  c.passes = 30;
  auto more = clinic.chart(by("2026-11-24T10:32:00Z"), sid, c);
  ASSERT_TRUE(more);
  EXPECT_GT(nu::in_per_cm2(*more->density), 1.6 * nu::in_per_cm2(*charted->density));
}

TEST_P(RecordsTest, TheStrokePlanIsChartedWithItsPassesAndDrivesTheDose) {
  const ns::Id sid = started("C-1", "L-1");
  auto clinic = with_devices();
  ns::Chart hand;
  hand.passes = 8;
  hand.directions = std::vector<std::string>{"horizontal", "vertical"};
  auto charted = clinic.chart(by("2026-11-24T10:30:00Z"), sid, hand);
  ASSERT_TRUE(charted) << charted.error().describe();
  EXPECT_EQ(json::parse(charted->stroke_plan_json),
            (json{{"directions", {"horizontal", "vertical"}}, {"passes", 8}}));
  auto stored = store_->find_session(sid);
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->stroke_plan_json, charted->stroke_plan_json);
  EXPECT_EQ(ns::to_json(**stored)["stroke_plan"]["passes"], 8);

  // A later dose keeps the charted directions and passes: the same as stroking them explicitly.
  ns::Chart dose;
  dose.dose_from_physics = true;
  dose.seed = 3;
  auto from_plan = clinic.chart(by("2026-11-24T10:31:00Z"), sid, dose);
  ASSERT_TRUE(from_plan) << from_plan.error().describe();
  const auto expected = needlework::clinic::estimate_dose(
      seed(), regions(), devices(),
      {"face", "dermaroller", 192, nu::millimetres(1.0), 8, {"horizontal", "vertical"}, 3});
  ASSERT_TRUE(expected);
  EXPECT_DOUBLE_EQ(nu::in_per_cm2(*from_plan->density), nu::in_per_cm2(expected->density));

  ns::Chart bad;
  bad.directions = std::vector<std::string>{"horizontal", "zigzag"};
  auto r = clinic.chart(by("2026-11-24T10:32:00Z"), sid, bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where, "directions[1]");
  ns::Chart none;
  none.directions = std::vector<std::string>{};
  auto empty = clinic.chart(by("2026-11-24T10:33:00Z"), sid, none);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::invalid_value);
  EXPECT_EQ(empty.error().where, "directions");
  auto after = store_->find_session(sid);
  ASSERT_TRUE(after && *after);
  EXPECT_EQ((*after)->stroke_plan_json, from_plan->stroke_plan_json) << "a refused chart changes nothing";
}

TEST_P(RecordsTest, ADoseFromPhysicsIsRefusedWithHandFiguresWithoutPassesOrWithoutAModel) {
  const ns::Id sid = started("C-1", "L-1");
  auto clinic = with_devices();
  ns::Chart both;
  both.passes = 15;
  both.dose_from_physics = true;
  both.density = nu::per_square_centimetre(200);
  auto r = clinic.chart(by("2026-11-24T10:30:00Z"), sid, both);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where, "dose");

  ns::Chart no_passes;
  no_passes.dose_from_physics = true;
  r = clinic.chart(by("2026-11-24T10:30:00Z"), sid, no_passes);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where, "passes");

  // The store without a device catalog cannot compute one.
  ns::Chart ok;
  ok.passes = 15;
  ok.dose_from_physics = true;
  r = clinic_->chart(by("2026-11-24T10:30:00Z"), sid, ok);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where, "dose");

  // A 300-needle roller has no model in the catalog: the error says so, and nothing is charted.
  ready_client("C-2");
  ns::RollerSpec spec{
      "L-9", "1", "", "dermaroller", 300, nu::millimetres(1.0), *nu::parse_date("2028-01-31")};
  auto odd = clinic_->register_roller(by("2026-11-20T09:00:00Z"), spec);
  ASSERT_TRUE(odd) << odd.error().describe();
  ASSERT_TRUE(clinic_->assign_roller(by("2026-11-20T09:05:00Z"), odd->id, "C-2"));
  auto s2 = start("C-2", odd->id, "2026-11-24T11:00:00Z");
  ASSERT_TRUE(s2) << s2.error().describe();
  r = clinic.chart(by("2026-11-24T11:30:00Z"), s2->session.id, ok);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where, "needle_count");
  EXPECT_NE(r.error().message.find("chart the dose by hand"), std::string::npos) << r.error().message;
  auto unchanged = store_->find_session(s2->session.id);
  ASSERT_TRUE(unchanged && *unchanged);
  EXPECT_FALSE((*unchanged)->density.has_value());
  EXPECT_FALSE((*unchanged)->passes.has_value());
}

// ---- the dose per zone
// ---------------------------------------------------------------------------------------

/// The dose the physics engine gives a zone of the face on the session's 1 mm 192-needle roller.
nu::ArealDensity zone_density(const std::string& zone, int passes, std::vector<std::string> directions,
                              std::uint64_t stream) {
  const auto d = needlework::clinic::estimate_dose(
      seed(), regions(), devices(),
      {"face", "dermaroller", 192, nu::millimetres(1.0), passes, std::move(directions), stream, zone});
  EXPECT_TRUE(d) << d.error().describe();
  return d ? d->density : nu::per_square_centimetre(0);
}

TEST_P(RecordsTest, AZoneIsChartedWithTheDoseOfItsOwnRegionAndChartingItAgainReplacesIt) {
  const ns::Id sid = started("C-1", "L-1");
  auto clinic = with_devices();
  const auto before = audit_count();
  ns::Chart cheek;
  cheek.zone = "cheek";
  cheek.passes = 12;
  cheek.directions = std::vector<std::string>{"horizontal", "vertical"};
  auto charted = clinic.chart(by("2026-11-24T10:30:00Z"), sid, cheek);
  ASSERT_TRUE(charted) << charted.error().describe();
  // The session's own chart is left as it was; the zone has its record.
  EXPECT_FALSE(charted->passes.has_value());
  EXPECT_FALSE(charted->density.has_value());
  EXPECT_EQ(audit_count(), before + 1) << "one audited insert";
  auto zones = store_->zones_of(sid);
  ASSERT_TRUE(zones) << zones.error().describe();
  ASSERT_EQ(zones->size(), 1u);
  const auto first = (*zones)[0];
  EXPECT_EQ(first.zone, "cheek");
  EXPECT_EQ(first.passes, 12);
  EXPECT_EQ(first.directions, (std::vector<std::string>{"horizontal", "vertical"}));
  EXPECT_EQ(first.physics_device, "roller-192");
  EXPECT_EQ(first.seed, ns::zone_seed(sid, "cheek")) << "the default seed is derived and written down";
  EXPECT_EQ(first.charted_at, at("2026-11-24T10:30:00Z"));
  // The figures are the simulation of THAT region with that seed (not of the area's thinnest region).
  EXPECT_DOUBLE_EQ(nu::in_per_cm2(first.density),
                   nu::in_per_cm2(zone_density("cheek", 12, {"horizontal", "vertical"}, first.seed)));
  const auto layers = json::parse(first.layers_json);
  double total = 0;
  for (const auto* l : {"epidermis", "papillary_dermis", "reticular_dermis", "beyond_dermis"}) {
    ASSERT_TRUE(layers.contains(l)) << l;
    total += layers[l].get<double>();
  }
  EXPECT_NEAR(total, 1.0, 1e-5);

  // Another zone with its own seed: a second record.
  ns::Chart forehead;
  forehead.zone = "forehead";
  forehead.passes = 12;
  forehead.seed = 5;
  ASSERT_TRUE(clinic.chart(by("2026-11-24T10:31:00Z"), sid, forehead));
  zones = store_->zones_of(sid);
  ASSERT_TRUE(zones);
  ASSERT_EQ(zones->size(), 2u);
  EXPECT_EQ((*zones)[1].zone, "forehead");
  EXPECT_EQ((*zones)[1].seed, 5u);
  EXPECT_EQ((*zones)[1].directions, (std::vector<std::string>{"horizontal", "vertical", "diagonal"}))
      << "without directions charted anywhere, the default strokes";
  EXPECT_DOUBLE_EQ(nu::in_per_cm2((*zones)[1].density), nu::in_per_cm2(zone_density("forehead", 12, {}, 5)));

  // The cheek again with more passes: the same record, replaced, audited as an update.
  const auto entries = audit_count();
  cheek.passes = 24;
  cheek.directions.reset();  // kept from the zone's record
  ASSERT_TRUE(clinic.chart(by("2026-11-24T10:35:00Z"), sid, cheek));
  zones = store_->zones_of(sid);
  ASSERT_TRUE(zones);
  ASSERT_EQ(zones->size(), 2u);
  const auto& again = (*zones)[0];
  EXPECT_EQ(again.id, first.id);
  EXPECT_EQ(again.passes, 24);
  EXPECT_EQ(again.directions, first.directions);
  EXPECT_EQ(again.charted_at, at("2026-11-24T10:35:00Z"));
  EXPECT_GT(nu::in_per_cm2(again.density), 1.6 * nu::in_per_cm2(first.density));
  auto log = store_->audit_log();
  ASSERT_TRUE(log);
  ASSERT_EQ(static_cast<std::int64_t>(log->size()), entries + 1);
  EXPECT_EQ(log->back().entity, "session_zones");
  EXPECT_EQ(log->back().action, "update");
  auto check = store_->verify_audit();
  ASSERT_TRUE(check);
  EXPECT_TRUE(check->ok) << check->problem;

  // Run again from what was stored, the simulation gives the stored figures (the zone's heatmap).
  auto sim = clinic.zone_simulation(sid, "cheek");
  ASSERT_TRUE(sim) << sim.error().describe();
  EXPECT_DOUBLE_EQ(nu::in_per_cm2(sim->dose.density), nu::in_per_cm2(again.density));
  EXPECT_DOUBLE_EQ(nu::in_per_cm2(sim->result.density.mean), nu::in_per_cm2(again.density));
  const auto stored_layers = json::parse(again.layers_json);
  EXPECT_NEAR(stored_layers["epidermis"].get<double>(), sim->result.layers_exact.epidermis, 1e-6);
  EXPECT_NEAR(stored_layers["papillary_dermis"].get<double>(), sim->result.layers_exact.papillary_dermis,
              1e-6);
  EXPECT_NEAR(stored_layers["reticular_dermis"].get<double>(), sim->result.layers_exact.reticular_dermis,
              1e-6);
  EXPECT_NEAR(stored_layers["beyond_dermis"].get<double>(), sim->result.layers_exact.beyond_dermis, 1e-6);
  EXPECT_GT(sim->result.grid.counts.size(), 0u) << "a grid to draw";
  auto missing = clinic.zone_simulation(sid, "nose");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  EXPECT_EQ(missing.error().where, "zone");

  // The export carries the zones.
  auto doc = ns::export_json(*store_, by("2026-11-24T12:00:00Z", "auditor"));
  ASSERT_TRUE(doc) << doc.error().describe();
  ASSERT_EQ((*doc)["tables"]["session_zones"].size(), 2u);
  EXPECT_EQ((*doc)["tables"]["session_zones"][0]["zone"], "cheek");
  EXPECT_EQ((*doc)["tables"]["session_zones"][0]["passes"], 24);
}

TEST_P(RecordsTest, AZoneOutsideTheAreaWithHandFiguresOrAfterTheSessionFinishedIsRefused) {
  const ns::Id sid = started("C-1", "L-1");
  auto clinic = with_devices();
  const auto before = audit_count();
  ns::Chart neck;
  neck.zone = "neck";  // a skin region, but of another area
  neck.passes = 10;
  auto r = clinic.chart(by("2026-11-24T10:30:00Z"), sid, neck);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_value);
  EXPECT_EQ(r.error().where, "zone");
  for (const auto* z : {"forehead", "glabella", "temple", "nose", "cheek", "submandibular"})
    EXPECT_NE(r.error().message.find(z), std::string::npos)
        << "lists the area's zones: " << r.error().message;

  ns::Chart hand;
  hand.zone = "cheek";
  hand.passes = 10;
  hand.density = nu::per_square_centimetre(200);
  r = clinic.chart(by("2026-11-24T10:30:00Z"), sid, hand);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where, "zone");

  ns::Chart no_passes;
  no_passes.zone = "cheek";
  r = clinic.chart(by("2026-11-24T10:30:00Z"), sid, no_passes);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where, "passes");

  // Without the device catalog there is no dose to compute.
  ns::Chart ok;
  ok.zone = "cheek";
  ok.passes = 10;
  r = clinic_->chart(by("2026-11-24T10:30:00Z"), sid, ok);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where, "dose");
  EXPECT_EQ(audit_count(), before) << "nothing refused is written";
  auto none = store_->zones_of(sid);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());

  // Once the session has finished, a zone is no longer charted.
  ASSERT_TRUE(clinic.finish_session(by("2026-11-24T11:00:00Z"), sid, "steps not recorded in this test"));
  r = clinic.chart(by("2026-11-24T11:05:00Z"), sid, ok);
  expect_refused(r, "finished", "RECORD.session_finished");
  none = store_->zones_of(sid);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

// ---- export ----------------------------------------------------------------------------------------------

TEST_P(RecordsTest, TheExportHoldsEveryRecordAndTheAuditCheck) {
  const ns::Id sid = started("C-1", "L-1");
  ASSERT_TRUE(clinic_->record_step(by("2026-11-24T10:01:00Z"), sid, "STEP.cleanse"));
  ASSERT_TRUE(clinic_->finish_session(by("2026-11-24T11:00:00Z"), sid, "only the cleanse step was done"));
  ASSERT_TRUE(clinic_->record_followup(by("2026-11-25T11:00:00Z"), sid, {"bleeding"}));
  ASSERT_TRUE(clinic_->add_user(by("2026-11-20T08:00:00Z"), "ana", "practitioner"));
  add_client("C-2");

  auto doc = ns::export_json(*store_, by("2026-11-26T08:00:00Z", "auditor"));
  ASSERT_TRUE(doc) << doc.error().describe();
  EXPECT_EQ((*doc)["format"], "needlework-export");
  EXPECT_EQ((*doc)["exported_at"], "2026-11-26T08:00:00Z");
  EXPECT_EQ((*doc)["exported_by"], "auditor");
  EXPECT_EQ((*doc)["audit"]["ok"], true);
  const auto& t = (*doc)["tables"];
  for (const auto& name : ns::export_tables()) EXPECT_TRUE(t.contains(name)) << name;
  EXPECT_EQ(t["clients"].size(), 2u);
  EXPECT_EQ(t["users"].size(), 1u);
  EXPECT_EQ(t["intakes"].size(), 1u);
  EXPECT_EQ(t["consents"].size(), 1u);
  EXPECT_EQ(t["rollers"].size(), 1u);
  ASSERT_EQ(t["sessions"].size(), 1u);
  EXPECT_EQ(t["sessions"][0]["id"], sid);
  EXPECT_EQ(t["steps"].size(), 1u);
  EXPECT_EQ(t["followups"].size(), 1u);
  EXPECT_EQ(t["outbox"].size(), 1u);  // the aftercare sheet
  // The export carries the whole audit log, entry for entry.
  EXPECT_EQ(static_cast<std::int64_t>(t["audit_log"].size()), audit_count());
  EXPECT_EQ((*doc)["audit"]["entries"], audit_count());
  // Exporting is a read: it writes nothing to the log.
  const auto entries = audit_count();
  ASSERT_TRUE(ns::export_json(*store_, by("2026-11-26T08:01:00Z")));
  EXPECT_EQ(audit_count(), entries);
}

TEST_P(RecordsTest, TheCsvExportWritesOneFilePerTableAndAManifest) {
  const ns::Id sid = started("C-1", "L-1");
  ASSERT_GT(sid, 0);
  auto doc = ns::export_json(*store_, by("2026-11-26T08:00:00Z"));
  ASSERT_TRUE(doc);
  const fs::path out = dir_ / "export";
  ASSERT_TRUE(ns::write_csv_export(*doc, out));
  for (const auto& name : ns::export_tables()) EXPECT_TRUE(fs::exists(out / (name + ".csv"))) << name;
  std::ifstream in(out / "sessions.csv");
  std::string header, row, extra;
  std::getline(in, header);
  std::getline(in, row);
  EXPECT_TRUE(header.starts_with("id,")) << header;
  EXPECT_NE(header.find("needle_length_mm"), std::string::npos);
  EXPECT_TRUE(row.starts_with(std::to_string(sid) + ",")) << row;
  EXPECT_FALSE(std::getline(in, extra) && !extra.empty());
  std::ifstream manifest_in(out / "manifest.json");
  const json manifest = json::parse(manifest_in);
  EXPECT_EQ(manifest["files"]["sessions.csv"], 1);
  EXPECT_FALSE(manifest.contains("tables"));
}

// ---- backup and restore ----------------------------------------------------------------------------------

class SqliteRecordsTest : public RecordsTest {};
NEEDLEWORK_INSTANTIATE_STORE_TESTS_ON(SqliteRecordsTest, Backend::sqlite);

TEST_P(SqliteRecordsTest, ABackupRestoresTheRecordsAsTheyWereAndKeepsTheReplacedDatabase) {
  ready_client("C-1");
  const fs::path copy = dir_ / "backup.db";
  std::vector<double> steps;
  ASSERT_TRUE(store_->backup_to(copy, [&](double s) { steps.push_back(s); }));
  ASSERT_FALSE(steps.empty());
  EXPECT_DOUBLE_EQ(steps.back(), 1.0);
  const auto entries_at_backup = audit_count();
  add_client("C-2");  // after the backup

  // Refused over an existing backup file.
  auto again = store_->backup_to(copy, {});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::invalid_value);

  // Into a new file: the records as they were at the backup.
  const fs::path fresh = dir_ / "fresh.db";
  auto r = ns::restore_sqlite(copy, fresh, false, at("2026-11-26T08:00:00Z"));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->audit_entries, entries_at_backup);
  EXPECT_TRUE(r->previous.empty());
  {
    auto restored = ns::open_sqlite(fresh);
    ASSERT_TRUE(restored);
    EXPECT_TRUE(*(*restored)->find_client("C-1"));
    EXPECT_FALSE(*(*restored)->find_client("C-2"));
  }

  // Over the live database: refused without replace; with it, the old one is kept beside.
  close();
  auto refused = ns::restore_sqlite(copy, db_path_, false, at("2026-11-26T08:00:00Z"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::invalid_value);
  r = ns::restore_sqlite(copy, db_path_, true, at("2026-11-26T08:00:00Z"));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->previous.filename().string(), "clinic.db.before-restore-20261126T080000Z");
  EXPECT_TRUE(fs::exists(r->previous));
  reopen();
  EXPECT_FALSE(*store_->find_client("C-2"));
  EXPECT_TRUE(store_->verify_audit()->ok);
  auto previous = ns::open_sqlite(r->previous);
  ASSERT_TRUE(previous);
  EXPECT_TRUE(*(*previous)->find_client("C-2"));
}

TEST_P(SqliteRecordsTest, ABackupWhoseAuditChainIsBrokenIsNotRestored) {
  ready_client("C-1");
  const fs::path copy = dir_ / "backup.db";
  ASSERT_TRUE(store_->backup_to(copy, {}));
  {  // someone edits the backup file
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(copy.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(
        sqlite3_exec(db, "DROP TRIGGER audit_no_update; UPDATE audit SET actor = 'mallory' WHERE seq = 1",
                     nullptr, nullptr, nullptr),
        SQLITE_OK);
    sqlite3_close(db);
  }
  const fs::path target = dir_ / "target.db";
  auto r = ns::restore_sqlite(copy, target, false, at("2026-11-26T08:00:00Z"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::refused);
  EXPECT_NE(r.error().message.find("entry 1"), std::string::npos) << r.error().message;
  EXPECT_FALSE(fs::exists(target));
  EXPECT_FALSE(fs::exists(target.string() + ".restoring"));

  auto missing = ns::restore_sqlite(dir_ / "nope.db", target, false, at("2026-11-26T08:00:00Z"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
}

class PostgresRecordsTest : public RecordsTest {};
NEEDLEWORK_INSTANTIATE_STORE_TESTS_ON(PostgresRecordsTest, Backend::postgres);

TEST_P(PostgresRecordsTest, BackupSaysToUsePgDump) {
  auto r = store_->backup_to(dir_ / "backup.db", {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_value);
  EXPECT_NE(r.error().message.find("pg_dump"), std::string::npos) << r.error().message;
}

}  // namespace

// ---- CSV -------------------------------------------------------------------------------------------------

TEST(ExportCsv, QuotesWhatNeedsItDefusesFormulasAndPutsIdFirst) {
  const json rows = json::array({
      {{"name", "Ana, \"Annie\""}, {"id", 1}, {"note", "=HYPERLINK(\"x\")"}, {"tags", {"a", "b"}}},
      {{"id", 2}, {"name", "two\nlines"}, {"note", nullptr}, {"extra", -3}},
  });
  const std::string csv = ns::to_csv(rows);
  EXPECT_EQ(csv,
            "id,extra,name,note,tags\r\n"
            "1,,\"Ana, \"\"Annie\"\"\",\"'=HYPERLINK(\"\"x\"\")\",\"[\"\"a\"\",\"\"b\"\"]\"\r\n"
            "2,-3,\"two\nlines\",,\r\n");
  EXPECT_EQ(ns::to_csv(json::array()), "\r\n");
}
