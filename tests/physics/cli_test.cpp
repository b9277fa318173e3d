// End-to-end: runs the `needlework` binary and checks exit codes, JSON and the files it writes.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/run.hpp"

namespace {

namespace fs = std::filesystem;

struct CliRun {
  int exit_code = -1;
  std::string out;
};

CliRun run(const std::string& args) {
  needlework::test::RunRequest request;
  request.program = NEEDLEWORK_BIN;
  request.args = needlework::test::split_words(std::string("--data ") + NEEDLEWORK_DATA_DIR + " " + args);
  const auto result = needlework::test::run(request);
  return CliRun{result.exit_code, result.out};
}

nlohmann::json json_of(const CliRun& r) { return nlohmann::json::parse(r.out, nullptr, false); }

fs::path temp_dir(const std::string& name) {
  const fs::path d =
      fs::temp_directory_path() / ("needlework-physics-cli-" + name + "-" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

TEST(SimulateCli, DefaultSessionIsSummarisedAsJson) {
  const CliRun r = run("--json simulate --zone 100x100 --seed 3");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto j = json_of(r);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j["device"], "roller-192");
  EXPECT_NEAR(j["density"]["mean_per_cm2"].get<double>(), 229.2, 0.03 * 229.2);
  // The rigid slit at the mean insertion of a 0.5 mm needle at moderate pressure (η = 0.40): 0.169 mm,
  // shorter than the full-insertion 0.21 mm of FACTS §3 (docs/physics.md "Kinematics and the slit").
  EXPECT_NEAR(j["mean_effective_depth_mm"].get<double>(), 0.20, 1e-6);
  EXPECT_NEAR(j["slit_rigid_mm"].get<double>(), 0.169, 0.001);
  EXPECT_LT(j["slit_mm"].get<double>(), j["slit_rigid_mm"].get<double>());
  EXPECT_FALSE(j["beyond_dermis"].get<bool>());
}

TEST(SimulateCli, TheDefaultComplianceComesFromTheSkinDataFile) {
  // A data folder whose regions.toml says 0.5: simulate and devices use it unless --compliance says
  // otherwise.
  const fs::path d = temp_dir("compliance");
  fs::create_directories(d / "skin");
  fs::create_directory_symlink(fs::path(NEEDLEWORK_DATA_DIR) / "devices", d / "devices");
  fs::create_directory_symlink(fs::path(NEEDLEWORK_DATA_DIR) / "packs", d / "packs");
  fs::create_directory_symlink(fs::path(NEEDLEWORK_DATA_DIR) / "physics", d / "physics");
  std::ifstream in(fs::path(NEEDLEWORK_DATA_DIR) / "skin" / "regions.toml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto at = text.find("\nvalue = 0.80\n");
  ASSERT_NE(at, std::string::npos) << "the shipped [compliance] value moved";
  text.replace(at, 14, "\nvalue = 0.50\n");
  std::ofstream(d / "skin" / "regions.toml") << text;
  auto run_in = [&](std::vector<std::string> args) {
    needlework::test::RunRequest request;
    request.program = NEEDLEWORK_BIN;
    request.args = {"--json", "--data", d.string()};
    request.args.insert(request.args.end(), args.begin(), args.end());
    const auto result = needlework::test::run(request);
    return CliRun{result.exit_code, result.out};
  };
  CliRun r = run_in({"simulate", "--zone", "20x20"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NEAR(json_of(r)["plan"]["compliance"].get<double>(), 0.5, 1e-12) << r.out;
  r = run_in({"simulate", "--zone", "20x20", "--compliance", "0.9"});
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NEAR(json_of(r)["plan"]["compliance"].get<double>(), 0.9, 1e-12);
  // The shipped file gives the calibrated 0.80.
  EXPECT_NEAR(json_of(run("--json simulate --zone 20x20"))["plan"]["compliance"].get<double>(), 0.80, 1e-12);
  // devices: the slit column at 0.5 differs from the one at the shipped 0.80.
  const auto at_half = json_of(run_in({"devices", "roller-192"}));
  const auto shipped = json_of(run("--json devices roller-192"));
  ASSERT_TRUE(at_half.is_array() && shipped.is_array());
  EXPECT_GT(at_half[0]["slit_mm"].get<double>(), shipped[0]["slit_mm"].get<double>());
  fs::remove_all(d);
}

TEST(SimulateCli, SameSeedSameOutput) {
  EXPECT_EQ(run("--json simulate --seed 9").out, run("--json simulate --seed 9").out);
}

TEST(SimulateCli, EyelidWithOnePointFiveMillimetresIsRefusedWithExitFive) {
  const CliRun r = run("--json simulate --region periorbital --length-mm 1.5 --zone 40x20");
  EXPECT_EQ(r.exit_code, 5);
  const auto j = json_of(r);
  EXPECT_EQ(j["refusal"]["code"], "refused");
  EXPECT_EQ(j["refusal"]["rule"], "PHYSICS.beyond_dermis") << "the physics engine's own check, in no pack";
  EXPECT_GT(j["layers_exact"]["beyond_dermis"].get<double>(), 0.0);
}

TEST(SimulateCli, BadInputsNameTheFieldAndExitThree) {
  CliRun r = run("--json simulate --device roller-999");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(json_of(r)["error"]["where"], "device");
  r = run("--json simulate --region elbow");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(json_of(r)["error"]["code"], "unknown_id");
  r = run("--json simulate --zone \"0,0 10,10\"");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(json_of(r)["error"]["where"], "zone");
  r = run("--json simulate --zone \"0,0 10,x 3,3\"");
  EXPECT_EQ(r.exit_code, 3);
  // Zone numbers are read as strictly as every other option: no infinity, NaN or hex.
  for (const char* zone : {"infx30", "40xnan", "\"0,0 0x10,0 40,30\"", "\"0,0 inf,0 40,30\"", "1e400x30"}) {
    r = run(std::string("--json simulate --zone ") + zone);
    EXPECT_EQ(r.exit_code, 3) << zone;
    EXPECT_EQ(json_of(r)["error"]["code"], "invalid_value") << zone;
  }
  r = run("--json simulate --overlap 2");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(json_of(r)["error"]["where"], "plan.lane_overlap");
  r = run("--json simulate --length-mm 9");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(json_of(r)["error"]["where"], "needle.length_mm");
}

TEST(SimulateCli, BrokenDataFilesExitFour) {
  const fs::path d = temp_dir("data");
  fs::create_directories(d / "devices");
  fs::create_directories(d / "skin");
  fs::copy_file(fs::path(NEEDLEWORK_DATA_DIR) / "skin" / "regions.toml", d / "skin" / "regions.toml",
                fs::copy_options::overwrite_existing);
  std::ofstream(d / "devices" / "bad.toml")
      << "id = \"bad\"\nname = \"Bad\"\nkind = \"roller\"\nsources = [\"x\"]\n"
         "[drum]\ndiameter_mm = -20\ndiameter_mm_source = \"x\"\n";
  needlework::test::RunRequest request;
  request.program = NEEDLEWORK_BIN;
  request.args = {"--json", "--data", d.string(), "simulate"};
  EXPECT_EQ(needlework::test::run(request).exit_code, 4);
  fs::remove_all(d);
}

TEST(SimulateCli, WritesHeatmapTipPathAndResealingFiles) {
  const fs::path d = temp_dir("out");
  const CliRun r = run("simulate --length-mm 1.0 --heatmap " + (d / "h.png").string() + " --svg " +
                       (d / "t.svg").string() + " --resealing " + (d / "r.csv").string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::ifstream png(d / "h.png", std::ios::binary);
  char sig[8] = {};
  png.read(sig, 8);
  EXPECT_EQ(std::string(sig + 1, 3), "PNG");
  std::ifstream svg(d / "t.svg");
  std::string first;
  std::getline(svg, first);
  EXPECT_EQ(first.rfind("<svg", 0), 0u);
  std::ifstream csv(d / "r.csv");
  std::getline(csv, first);
  EXPECT_EQ(first, "t_h,barrier, not occluded,barrier, occluded,channels, not occluded,channels, occluded");
  EXPECT_NE(r.out.find("mean density"), std::string::npos);
  fs::remove_all(d);
}

// The two resealing outputs (data/physics/resealing.toml): barrier recovery and channel closure, in the JSON
// and in the SVG, for the condition chosen.
TEST(SimulateCli, ReportsBarrierRecoveryAndChannelClosure) {
  const fs::path d = temp_dir("reseal");
  CliRun r = run("--json simulate --length-mm 1.0 --resealing " + (d / "r.svg").string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto j = json_of(r)["resealing"];
  EXPECT_EQ(j["occlusion"], "open");
  EXPECT_NEAR(j["barrier"]["closed_95_h"].get<double>(), 2.0, 0.05);    // Gupta 2011, not occluded
  EXPECT_NEAR(j["channels"]["closed_95_h"].get<double>(), 60.57, 0.6);  // PMC8259462
  std::ifstream in(d / "r.svg");
  const std::string svg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(svg.find("barrier, occluded"), std::string::npos);
  EXPECT_NE(svg.find("channels, not occluded"), std::string::npos);
  r = run("--json simulate --length-mm 1.0 --occluded");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  j = json_of(r)["resealing"];
  EXPECT_EQ(j["occlusion"], "occluded");
  EXPECT_NEAR(j["barrier"]["closed_95_h"].get<double>(), 40.0, 0.5);  // Gupta 2011 occluded, upper end
  r = run("simulate --length-mm 1.0");
  EXPECT_NE(r.out.find("barrier recovery"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("channel closure"), std::string::npos) << r.out;
  fs::remove_all(d);
}

// A data directory without data/physics/resealing.toml, or with a broken one, is a data error (exit 4) that
// names the file.
TEST(SimulateCli, MissingOrBrokenResealingFileExitsFour) {
  const fs::path d = temp_dir("noreseal");
  fs::create_directories(d / "skin");
  fs::create_directories(d / "physics");
  fs::copy(fs::path(NEEDLEWORK_DATA_DIR) / "devices", d / "devices",
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  fs::copy_file(fs::path(NEEDLEWORK_DATA_DIR) / "skin" / "regions.toml", d / "skin" / "regions.toml",
                fs::copy_options::overwrite_existing);
  needlework::test::RunRequest request;
  request.program = NEEDLEWORK_BIN;
  request.args = {"--json", "--data", d.string(), "simulate"};
  auto r = needlework::test::run(request);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.out.find("resealing.toml"), std::string::npos) << r.out;
  std::ofstream(d / "physics" / "resealing.toml") << "[barrier]\nname = \"b\"\n";
  r = needlework::test::run(request);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.out.find("resealing.toml"), std::string::npos) << r.out;
  fs::remove_all(d);
}

TEST(SimulateCli, AcceptsAClinicSessionDocument) {
  const CliRun r = run(std::string("--json simulate ") + NEEDLEWORK_SOURCE_DIR + "/examples/session.json");
  if (!fs::exists(fs::path(NEEDLEWORK_SOURCE_DIR) / "examples" / "session.json")) GTEST_SKIP();
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto j = json_of(r);
  EXPECT_EQ(j["clinic_area"], "face");
  // The pack maps the face to all its measured regions; a simulation takes the thinnest (Meng 2022: temple).
  EXPECT_EQ(j["region"], "temple");
  // The pack's dermaroller is modelled by the 192-needle roller, on the pack's whole-face zone (150 × 200
  // mm).
  EXPECT_EQ(j["device"], "roller-192");
}

TEST(SimulateCli, EnsembleReportsMembers) {
  const CliRun r = run("--json simulate --runs 4 --zone 60x60");
  ASSERT_EQ(r.exit_code, 0);
  const auto j = json_of(r);
  EXPECT_EQ(j["ensemble"]["runs"], 4);
  EXPECT_NEAR(j["ensemble"]["mean_per_cm2"].get<double>(), 229.2, 0.05 * 229.2);
}

TEST(DevicesCli, ListsTheCatalogAndRefusesUnknownIds) {
  CliRun r = run("--json devices");
  ASSERT_EQ(r.exit_code, 0);
  const auto j = json_of(r);
  ASSERT_EQ(j.size(), 7u);
  r = run("devices roller-192 pen-12");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("15.3"), std::string::npos);
  EXPECT_EQ(run("devices nope").exit_code, 3);
}

}  // namespace
