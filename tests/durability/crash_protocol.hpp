#pragma once
// What the crash writer (crash_writer.cpp) writes and the crash test (crash_test.cpp) expects, in one place:
// the clients each writer thread treats, the session a write records (a new roller registered and assigned,
// the session started under every clinic rule, each protocol step of the pack, a chart, the finish with its
// aftercare message), the values charted for a write — derived from (run, thread, n), so the test knows them
// without trusting the writer — and the acknowledgement line the writer prints once the write committed.

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "needlework/clinic/intake.hpp"
#include "needlework/knowledge/loader.hpp"
#include "needlework/physics/skin.hpp"
#include "needlework/store/clinic_store.hpp"
#include "needlework/store/store.hpp"
#include "support/data.hpp"
#include "support/packs.hpp"

namespace durability {

namespace ns = needlework::store;
namespace nu = needlework::units;
using needlework::Result;

/// The seed pack and the skin regions, through the tests' one set of loaders (tests/support), for the test
/// and for the writer process alike.
inline const needlework::knowledge::Pack& seed_pack() {
  static const needlework::knowledge::Pack pack = needlework::test::load_pack("seed");
  return pack;
}

inline const needlework::physics::RegionCatalog& skin_regions() { return needlework::test::skin_regions(); }

/// Opens (and migrates) the store a `where` names: a SQLite file, or a PostgreSQL conninfo.
inline Result<std::unique_ptr<ns::Store>> open_where(const std::string& where) {
  return ns::open_store(where);
}

/// Clients per writer thread; a thread's writes take its clients in turn.
constexpr int clients_per_thread = 2;

inline std::string client_id(int thread, int j) { return fmt::format("CR-t{}-c{}", thread, j); }

/// When the first crash session of a client starts; each next one starts a week after the client's latest
/// recorded session (COURSE.default: at least 3 days apart, at most 2 a week).
inline nu::DateTime first_session_at() { return *nu::parse_date_time("2027-01-04T09:00:00Z"); }
constexpr auto session_spacing = std::chrono::days(7);
constexpr auto session_length = std::chrono::minutes(30);

/// Registers the client with a cleared intake for the face and a signed consent, in one transaction, unless
/// it is registered already (a run killed during setup left either all of it or none).
inline Result<void> ensure_client(ns::Store& store, ns::ClinicStore& clinic, const std::string& id) {
  auto found = store.find_client(id);
  if (!found) return std::unexpected(found.error());
  if (*found) return {};
  const ns::Actor by{"crash-writer", *nu::parse_date_time("2027-01-01T09:00:00Z")};
  return store.transaction([&]() -> Result<void> {
    ns::ClientRecord c;
    c.id = id;
    c.name = "Crash " + id;
    if (auto r = clinic.add_client(by, c); !r) return std::unexpected(r.error());
    const nlohmann::json doc = {
        {"client", {{"id", id}, {"name", c.name}}},
        {"date", "2027-01-01"},
        {"setting", "clinic"},
        {"areas", {{{"area", "face"}, {"concerns", {"pores"}}}}},
        {"conditions", nlohmann::json::array()},
        {"dermatologist_clearance",
         {{"by", "Dr. Roe"}, {"date", "2027-01-01"}, {"reviewed", nlohmann::json::array()}}}};
    auto intake = needlework::clinic::parse_intake(doc, seed_pack());
    if (!intake) return std::unexpected(intake.error());
    if (auto r = clinic.record_intake(by, *intake, doc); !r) return std::unexpected(r.error());
    if (auto r = clinic.record_consent(by, id, "I consent to micro-needling.", c.name); !r) {
      return std::unexpected(r.error());
    }
    return {};
  });
}

/// Which write this is: run (one writer process), thread, n-th write of that thread.
struct CrashKey {
  int run = 0;
  int thread = 0;
  int n = 0;
  std::string client;
  nu::DateTime at;
};

/// What a write charts, from its key alone.
struct CrashChart {
  int passes;
  double density_per_cm2;
  double effective_depth_mm;
  std::string notes;
};
inline CrashChart expected_chart(const CrashKey& k) {
  return {2 + k.n % 5, 40.0 + (k.thread * 7 + k.n) % 30, 0.25 + 0.05 * (k.n % 10),
          fmt::format("crash run {} thread {} write {}", k.run, k.thread, k.n)};
}
inline std::string roller_lot(const CrashKey& k) { return fmt::format("CRASH-R{}", k.run); }
inline std::string roller_serial(const CrashKey& k) { return fmt::format("t{}-n{}", k.thread, k.n); }
constexpr double needle_mm = 1.0;

/// The audit entries one crash session writes: the roller registered and assigned, the session started, each
/// step, the chart, the finish (session and roller updated, the aftercare message queued).
inline std::int64_t audit_entries_per_session(std::size_t steps) {
  return 7 + static_cast<std::int64_t>(steps);
}
/// …and setting up one client: the client, the intake, the consent.
constexpr std::int64_t audit_entries_per_client = 3;

struct CrashIds {
  ns::Id session = 0;
  ns::Id roller = 0;
};

/// The whole session of one write, run through the clinic rules. Inside a group commit it is one savepoint.
inline Result<CrashIds> write_session(ns::ClinicStore& clinic, const CrashKey& k) {
  using namespace std::chrono_literals;
  const auto by = [&](nu::DateTime t) { return ns::Actor{fmt::format("crash-t{}", k.thread), t}; };
  ns::RollerSpec spec{roller_lot(k), roller_serial(k),           "(01)00000000000000",         "dermaroller",
                      192,           nu::millimetres(needle_mm), *nu::parse_date("2099-12-31")};
  auto roller = clinic.register_roller(by(k.at - 1h), spec);
  if (!roller) return std::unexpected(roller.error());
  if (auto r = clinic.assign_roller(by(k.at - 55min), roller->id, k.client); !r) {
    return std::unexpected(r.error());
  }
  ns::SessionRequest req;
  req.client_id = k.client;
  req.area = "face";
  req.roller_id = roller->id;
  req.cocktail = true;  // so every step of the seed pack is one of the session's (STEP.cocktail with it)
  // The depth-guard warnings this needle raises on the face are acknowledged, as a practitioner would.
  if (auto depth = needlework::clinic::check_depth(seed_pack(), &skin_regions(), "face",
                                                   *seed_pack().find_device("dermaroller"),
                                                   nu::millimetres(needle_mm));
      depth && *depth) {
    for (const auto* f : (*depth)->unacknowledged()) req.acknowledged.push_back(f->rule);
  }
  auto started = clinic.start_session(by(k.at), req);
  if (!started) return std::unexpected(started.error());
  const ns::Id id = started->session.id;
  int minute = 1;
  for (const auto& step : seed_pack().steps) {
    if (auto r = clinic.record_step(by(k.at + std::chrono::minutes(minute++)), id, step.id); !r) {
      return std::unexpected(r.error());
    }
  }
  const CrashChart c = expected_chart(k);
  ns::Chart chart;
  chart.passes = c.passes;
  chart.density = nu::per_square_centimetre(c.density_per_cm2);
  chart.effective_depth = nu::millimetres(c.effective_depth_mm);
  chart.notes = c.notes;
  if (auto r = clinic.chart(by(k.at + 25min), id, chart); !r) return std::unexpected(r.error());
  if (auto r = clinic.finish_session(by(k.at + session_length), id); !r) return std::unexpected(r.error());
  return CrashIds{id, roller->id};
}

/// "ack RUN THREAD N CLIENT AT SESSION ROLLER\n": printed only after the write's transaction committed.
inline std::string ack_line(const CrashKey& k, const CrashIds& ids) {
  return fmt::format("ack {} {} {} {} {} {} {}\n", k.run, k.thread, k.n, k.client, nu::format_date_time(k.at),
                     ids.session, ids.roller);
}

struct Ack {
  CrashKey key;
  CrashIds ids;
};

inline std::optional<Ack> parse_ack(std::string_view line) {
  std::istringstream in{std::string(line)};
  std::string word, at;
  Ack a;
  if (!(in >> word) || word != "ack") return std::nullopt;
  if (!(in >> a.key.run >> a.key.thread >> a.key.n >> a.key.client >> at >> a.ids.session >> a.ids.roller)) {
    return std::nullopt;
  }
  auto t = nu::parse_date_time(at);
  if (!t) return std::nullopt;
  a.key.at = *t;
  return a;
}

}  // namespace durability
