// Clinic store benchmarks (docs/performance.md, "Clinic store"); scripts/bench-store.sh runs them.
//
//   BM_ClientHistory/<backend>/warm|cold  ClinicStore::history (what `needlework clients show` reads) of
//                                     random clients of a generated clinic; p50/p99/p999 from per-read
//                                     latencies; warm: the tables it reads in the OS page cache, cold:
//                                     nothing of the database cached (posix_fadvise DONTNEED)
//   BM_ClientHistory/<backend>/warm/threads:N  the same warm reads from N threads, a connection each
//                                     (--history-threads=N; the HTTP server's history reads are held to it)
//   BM_RawSingleRowCommit/<backend>   the disk's rate: one row per transaction, one thread, no Needlework
//                                     (SQLite: WAL, synchronous=FULL; PostgreSQL: fsync, synchronous_commit)
//   BM_SingleRowCommit/<backend>      one session record (+ its audit entry) per transaction, one thread,
//                                     through Store::insert_session
//   BM_WriteCost/<backend>[/text_ahead]  the same write 1000 times in one transaction (savepoint each): the
//                                     writer's CPU cost per write, the ceiling of group commit; text_ahead:
//                                     the record's canonical text made beforehand (as group commit does)
//   BM_Sha256/openssl|libsodium       SHA-256 of 1,200 bytes (sha256_hex's OpenSSL against libsodium's)
//   BM_RecordText/by_writer|ahead     the session record's canonical text: canonical(to_json) as the writer
//                                     made it, or canonical_without_id(to_json) as a submitting thread does
//   BM_GroupCommitEventLoop/<backend>/in_flight:N  the same writes kept N in flight by one event-loop thread
//                                     with completion callbacks (how the HTTP server will submit them)
//   BM_GroupCommit/<backend>/writers:N  the same session records from N threads through one GroupCommitter;
//                                     a write counts when it is acknowledged (= committed); each thread
//                                     makes its record's canonical text (canonical_without_id) before it
//                                     submits, so the writer thread only fills in the id and digests it
//
// The clinic (100k clients and 1M sessions by default, with intakes, consents, courses, rollers,
// appointments, protocol steps, follow-ups, escalations, aftercare messages and photo records) is written
// through the Store interface in big transactions, so it is what the application would have written (audit
// chain included), and cached: a SQLite file under --cache-dir, or a database on the PostgreSQL server,
// named by the generator version and size, so a rerun skips generation.
//
// Options after Google Benchmark's: --clients=N --sessions=N (clinic size), --cache-dir=DIR (default
// ./store-bench-cache), --pg=CONNINFO (also NEEDLEWORK_BENCH_PG; adds the PostgreSQL benchmarks),
// --pg-env=VAR (the conninfo from environment variable VAR, if set: the ctest smoke run uses
// NEEDLEWORK_TEST_PG), --group-writes=N (writes per group-commit run, default 40000), --writers=16,64,256,
// --history-threads=N, --cache-mib=N (SqliteOptions::cache_mib).

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_data.hpp"
#include "needlework/clinic/intake.hpp"
#include "needlework/knowledge/loader.hpp"
#include "needlework/store/clinic_store.hpp"
#include "needlework/store/group_commit.hpp"
#include "needlework/store/json.hpp"
#include "needlework/store/store.hpp"

namespace {

namespace fs = std::filesystem;
namespace ns = needlework::store;
namespace nu = needlework::units;
using needlework::Result;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

/// Bump when the generated clinic changes: the cache is keyed by it.
constexpr int generator_version = 2;

struct Options {
  int clients = 100'000;
  std::int64_t sessions = 1'000'000;
  fs::path cache_dir = "store-bench-cache";
  std::string pg;  // server conninfo; empty: SQLite only
  int group_writes = 40'000;
  std::vector<int> writers{16, 64, 256};
  int history_threads = 1;   // > 1: also BM_ClientHistory/<backend>/warm/threads:N
  ns::SqliteOptions sqlite;  // --cache-mib
};
Options options;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "store_bench: %s\n", what.c_str());
  std::exit(1);
}

template <class T>
T must(Result<T> r, std::string_view what) {
  if (!r) die(fmt::format("{}: {}", what, r.error().describe()));
  if constexpr (!std::is_void_v<T>) return std::move(*r);
}

const needlework::knowledge::Pack& seed_pack() {
  static const auto pack =
      must(needlework::knowledge::load_pack(fs::path(NEEDLEWORK_DATA_DIR) / "packs", "seed"),
           "loading the seed pack");
  return pack;
}

const needlework::physics::RegionCatalog& skin_regions() {
  static const auto regions =
      must(needlework::physics::parse_regions(needlework::bench::read_data_file("skin/regions.toml"),
                                              "regions.toml"),
           "reading skin regions");
  return regions;
}

// ---- backends ----------------------------------------------------------------------------------------

enum class Backend { sqlite, postgres };
std::string_view name_of(Backend b) { return b == Backend::sqlite ? "sqlite" : "postgres"; }

Result<std::unique_ptr<ns::Store>> open_where(Backend b, const std::string& where) {
  return b == Backend::postgres ? ns::open_postgres(where) : ns::open_sqlite(where, options.sqlite);
}

/// Runs SQL on a PostgreSQL server as an administrator (not through Needlework); the first value or "".
std::string pg_exec(const std::string& conninfo, const std::string& sql) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) die(fmt::format("PostgreSQL: {}", PQerrorMessage(conn)));
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);  // "does not exist, skipping"
  PGresult* res = PQexec(conn, sql.c_str());
  const auto status = PQresultStatus(res);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    die(fmt::format("PostgreSQL: {}: {}", sql, PQresultErrorMessage(res)));
  }
  std::string out = status == PGRES_TUPLES_OK && PQntuples(res) > 0 ? PQgetvalue(res, 0, 0) : "";
  PQclear(res);
  PQfinish(conn);
  return out;
}

/// The server conninfo with another database, as key=value text.
std::string pg_with_db(const std::string& base, const std::string& db) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(base.c_str(), &err);
  if (opts == nullptr) die("--pg is not a libpq conninfo");
  std::string out;
  for (auto* o = opts; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || std::string_view(o->keyword) == "dbname") continue;
    out += fmt::format("{}='{}' ", o->keyword, o->val);
  }
  PQconninfoFree(opts);
  return out + fmt::format("dbname='{}'", db);
}

// ---- the generated clinic ----------------------------------------------------------------------------

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

/// Records as the clinic's own code writes them, made once with ClinicStore on a throwaway database for a
/// template client; the generator copies them for each client (ids, names and times replaced).
struct Templates {
  static constexpr std::string_view id = "C-TEMPLATE";
  static constexpr std::string_view name = "Ana Example";
  ns::IntakeRecord cleared, not_cleared;
  ns::CourseRecord course;
  ns::OutboxMessage aftercare;
  ns::FollowupRecord normal, see_doctor;
  std::string escalation_reason;
  std::string consent_sha256;
};

Templates make_templates() {
  auto store = must(ns::open_sqlite(":memory:"), "a throwaway database");
  ns::ClinicStore clinic(*store, seed_pack(), {.regions = &skin_regions()});
  const auto at = [](const char* t) { return ns::Actor{"ana", *nu::parse_date_time(t)}; };
  ns::ClientRecord c;
  c.id = Templates::id;
  c.name = Templates::name;
  c.date_of_birth = *nu::parse_date("1988-03-14");
  must(clinic.add_client(at("2026-11-20T09:00:00Z"), c), "template client");
  auto read_intake = [&](const char* file) {
    std::ifstream in(fs::path(NEEDLEWORK_SOURCE_DIR) / "examples" / file);
    auto doc = nlohmann::json::parse(in);
    doc["client"]["id"] = std::string(Templates::id);
    doc["client"]["name"] = std::string(Templates::name);
    doc["client"]["date_of_birth"] = "1988-03-14";
    return doc;
  };
  Templates t;
  {
    auto doc = read_intake("intake-contraindicated.json");
    auto intake = must(needlework::clinic::parse_intake(doc, seed_pack()), "template intake");
    t.not_cleared = must(clinic.record_intake(at("2026-11-23T09:00:00Z"), intake, doc), "template intake");
  }
  {
    auto doc = read_intake("intake-cleared.json");
    auto intake = must(needlework::clinic::parse_intake(doc, seed_pack()), "template intake");
    t.cleared = must(clinic.record_intake(at("2026-11-23T09:00:00Z"), intake, doc), "template intake");
  }
  t.consent_sha256 = must(clinic.record_consent(at("2026-11-23T09:10:00Z"), Templates::id,
                                                "I consent to micro-needling.", std::string(Templates::name)),
                          "template consent")
                         .text_sha256;
  t.course =
      must(clinic.record_course(at("2026-11-23T09:20:00Z"), Templates::id, *nu::parse_date("2026-11-24")),
           "template course");
  ns::RollerSpec spec{"LOT-T",
                      "1",
                      "(01)00000000000000",
                      "dermaroller",
                      192,
                      nu::millimetres(1.0),
                      *nu::parse_date("2028-01-31")};
  const auto roller = must(clinic.register_roller(at("2026-11-20T09:00:00Z"), spec), "template roller");
  must(clinic.assign_roller(at("2026-11-20T09:05:00Z"), roller.id, Templates::id), "template roller");
  ns::SessionRequest req;
  req.client_id = Templates::id;
  req.area = "face";
  req.roller_id = roller.id;
  // The depth-guard warnings a 1 mm needle raises on the face are acknowledged, as a practitioner would.
  if (auto depth = needlework::clinic::check_depth(
          seed_pack(), &skin_regions(), "face", *seed_pack().find_device("dermaroller"), spec.needle_length);
      depth && *depth) {
    for (const auto* f : (*depth)->unacknowledged()) req.acknowledged.push_back(f->rule);
  }
  const auto s = must(clinic.start_session(at("2026-11-24T10:00:00Z"), req), "template session");
  for (const auto& step : must(clinic.checklist(s.session.id), "template checklist")) {
    must(clinic.record_step(at("2026-11-24T10:40:00Z"), s.session.id, step.step), "template step");
  }
  must(clinic.finish_session(at("2026-11-24T10:45:00Z"), s.session.id), "template session");
  t.aftercare = must(clinic.outbox(true), "template outbox").back();
  t.normal = must(clinic.record_followup(at("2026-11-24T20:00:00Z"), s.session.id, {"redness", "dryness"}),
                  "template follow-up")
                 .followup;
  const auto esc =
      must(clinic.record_followup(at("2026-11-25T12:00:00Z"), s.session.id, {"redness", "swelling"}),
           "template follow-up");
  if (!esc.escalation) die("the template follow-up did not escalate");
  t.see_doctor = esc.followup;
  t.escalation_reason = esc.escalation->reason;
  return t;
}

/// Where the generated clinic of this size lives on a backend, and whether it is complete.
struct ClinicLocation {
  std::string where;    // the SQLite file or the conninfo of the database
  std::string partial;  // the same while generating
  std::string pg_name, pg_partial;
};

ClinicLocation clinic_location(Backend b) {
  const std::string key = fmt::format("g{}_{}c_{}s", generator_version, options.clients, options.sessions);
  ClinicLocation loc;
  if (b == Backend::sqlite) {
    loc.where = (options.cache_dir / fmt::format("clinic-{}.db", key)).string();
    loc.partial = loc.where + ".partial";
  } else {
    loc.pg_name = "nw_bench_clinic_" + key;
    loc.pg_partial = loc.pg_name + "_partial";
    loc.where = pg_with_db(options.pg, loc.pg_name);
    loc.partial = pg_with_db(options.pg, loc.pg_partial);
  }
  return loc;
}

class Progress {
 public:
  explicit Progress(std::int64_t total) : total_(total), start_(Clock::now()) {}
  void add(std::int64_t n) {
    done_ += n;
    const auto now = Clock::now();
    if (now - shown_ < 500ms && done_ < total_) return;
    shown_ = now;
    const double share = std::min(1.0, static_cast<double>(done_) / static_cast<double>(total_));
    const double secs = std::chrono::duration<double>(now - start_).count();
    const int width = 40;
    const int filled = static_cast<int>(share * width);
    std::fprintf(stderr, "\rgenerating the clinic [%s%s] %5.1f%%  %.1fM/%.1fM rows  %4.0f s  ETA %4.0f s ",
                 std::string(filled, '#').c_str(), std::string(width - filled, ' ').c_str(), share * 100,
                 static_cast<double>(done_) / 1e6, static_cast<double>(total_) / 1e6, secs,
                 share > 0 ? secs / share - secs : 0.0);
    if (done_ >= total_) std::fprintf(stderr, "\n");
  }

 private:
  std::int64_t total_, done_ = 0;
  Clock::time_point start_, shown_{};
};

/// One session of the generated clinic, in the order the clinic saw them.
struct PlannedSession {
  nu::DateTime at;
  std::int32_t client;
  std::int16_t nth;  // the client's n-th session
};

struct GeneratedClient {
  std::string id, name;
  bool cleared = true;
  int sessions = 0;
  double needle_mm = 1.0;
  std::vector<ns::Id> rollers;  // one per course of up to 6 sessions
  ns::Id intake = 0, consent = 0, course = 0;
};

/// Writes the clinic through `store` (empty, migrated) in transactions of a few thousand writes.
void generate(ns::Store& store) {
  const Templates t = make_templates();
  std::mt19937_64 rng(0x6e656564 + generator_version);
  auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  auto chance = [&](double p) { return std::bernoulli_distribution(p)(rng); };
  const auto horizon_start = *nu::parse_date_time("2021-01-04T00:00:00Z");
  const auto horizon_end = *nu::parse_date_time("2026-10-30T00:00:00Z");
  const double horizon_days =
      std::chrono::duration<double, std::ratio<86400>>(horizon_end - horizon_start).count();

  // Who the clients are, and how many sessions each had: a gamma(2) spread around the mean (a few clients
  // in long maintenance with 40–60 sessions, many with a course of 3–6), exactly options.sessions in all.
  static const char* first[] = {"Ana",   "Maria", "Joana", "Sofia", "Ines",  "Lea",  "Emma",
                                "Mia",   "Nora",  "Eva",   "Lucas", "Tomas", "Hugo", "Leo",
                                "Marta", "Clara", "Irene", "Paula", "Rita",  "Vera"};
  static const char* last[] = {"Silva",     "Santos",   "Costa",  "Moreau", "Weber",   "Rossi",    "Novak",
                               "Lindqvist", "Kowalski", "Garcia", "Martin", "Bauer",   "Ferreira", "Dubois",
                               "Nielsen",   "Horvat",   "Jensen", "Ricci",  "Almeida", "Fischer"};
  std::vector<GeneratedClient> clients(options.clients);
  std::vector<double> weight(options.clients, 0.0);
  std::gamma_distribution<double> spread(2.0, 1.0);
  for (int i = 0; i < options.clients; ++i) {
    auto& c = clients[i];
    c.id = fmt::format("C-{:06}", i + 1);
    c.name = fmt::format("{} {}", first[rng() % 20], last[rng() % 20]);
    c.cleared = !chance(0.08);
    c.needle_mm = std::array{0.5, 1.0, 1.0, 1.5}[rng() % 4];
    if (c.cleared) weight[i] = spread(rng);
  }
  const double total_weight = std::accumulate(weight.begin(), weight.end(), 0.0);
  std::int64_t assigned = 0;
  for (int i = 0; i < options.clients; ++i) {
    if (!clients[i].cleared) continue;
    clients[i].sessions = std::max(
        1, static_cast<int>(std::lround(weight[i] / total_weight * static_cast<double>(options.sessions))));
    assigned += clients[i].sessions;
  }
  for (std::int64_t fix = assigned; fix != options.sessions;) {  // exactly the size asked for
    auto& c = clients[rng() % clients.size()];
    if (!c.cleared) continue;
    if (fix < options.sessions) {
      ++c.sessions, ++fix;
    } else if (c.sessions > 1) {
      --c.sessions, --fix;
    }
  }

  // When: a course of up to 6 sessions four to five weeks apart, then maintenance every two to four months,
  // squeezed into the clinic's six years when a client has many.
  std::vector<PlannedSession> plan;
  plan.reserve(options.sessions);
  std::vector<nu::DateTime> first_visit(options.clients);
  for (int i = 0; i < options.clients; ++i) {
    const auto& c = clients[i];
    std::vector<double> gaps;
    for (int n = 1; n < c.sessions; ++n) gaps.push_back(n < 6 ? uniform(28, 35) : uniform(56, 120));
    double span = std::accumulate(gaps.begin(), gaps.end(), 0.0);
    const double room = horizon_days - 30;
    if (span > room) {
      for (auto& g : gaps) g = std::max(4.0, g * room / span);
      span = std::accumulate(gaps.begin(), gaps.end(), 0.0);
    }
    const double start_day = uniform(0, std::max(1.0, horizon_days - span - 20));
    auto day = [&](double d) {
      const auto minutes =
          static_cast<std::int64_t>(d) * 1440 + 8 * 60 + static_cast<std::int64_t>(uniform(0, 600));
      return horizon_start + std::chrono::minutes(minutes);
    };
    first_visit[i] = day(start_day) - std::chrono::days(3);
    double d = start_day;
    for (int n = 0; n < c.sessions; ++n) {
      plan.push_back({day(d), i, static_cast<std::int16_t>(n)});
      if (n + 1 < c.sessions) d += gaps[n];
    }
  }
  std::sort(plan.begin(), plan.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
  std::vector<int> order(options.clients);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) { return first_visit[a] < first_visit[b]; });

  const std::int64_t steps_per_session = static_cast<std::int64_t>(seed_pack().steps.size());
  // Rows: per client ~5 (client, intake, consent, course, roller…), per session 1 appointment + 1 session +
  // steps + 1 follow-up + 1 message (+ an escalation now and then).
  Progress progress(options.clients * 5 + options.sessions * (4 + steps_per_session));
  constexpr int writes_per_transaction = 5000;
  int in_tx = 0;
  std::int64_t written = 0;
  // Runs writes in transactions of ~writes_per_transaction: `step` is called until it returns false.
  auto batched = [&](auto&& step) {
    bool more = true;
    while (more) {
      must(store.transaction([&]() -> Result<void> {
        in_tx = 0;
        while (in_tx < writes_per_transaction && (more = step())) {
        }
        return {};
      }),
           "generating");
      progress.add(written);
      written = 0;
    }
  };
  auto wrote = [&](int n = 1) {
    in_tx += n;
    written += n;
  };
  auto actor = [](nu::DateTime at, std::string_view who = "ana") { return ns::Actor{std::string(who), at}; };
  auto personal = [&](std::string text, const GeneratedClient& c) {
    replace_all(text, Templates::id, c.id);
    replace_all(text, Templates::name, c.name);
    return text;
  };

  // Clients as they first came, with their screening, consent, course and rollers.
  std::size_t next_client = 0;
  batched([&] {
    if (next_client == order.size()) return false;
    const int i = order[next_client++];
    auto& c = clients[i];
    const auto at = first_visit[i];
    ns::ClientRecord rec;
    rec.id = c.id;
    rec.name = c.name;
    rec.date_of_birth =
        nu::Date(std::chrono::sys_days(std::chrono::year(1950 + static_cast<int>(rng() % 55)) /
                                       std::chrono::month(static_cast<unsigned>(1 + rng() % 12)) /
                                       std::chrono::day(static_cast<unsigned>(1 + rng() % 28))));
    rec.created_at = at;
    must(store.insert_client(actor(at), rec), "client");
    ns::IntakeRecord in = c.cleared ? t.cleared : t.not_cleared;
    in.client_id = c.id;
    in.intake_json = personal(in.intake_json, c);
    in.intake_date = std::chrono::floor<std::chrono::days>(at);
    in.recorded_at = at + 10min;
    c.intake = must(store.insert_intake(actor(in.recorded_at), in), "intake").id;
    ns::ConsentRecord consent;
    consent.client_id = c.id;
    consent.text_sha256 = t.consent_sha256;
    consent.signer = c.name;
    consent.signed_at = at + 20min;
    c.consent = must(store.insert_consent(actor(consent.signed_at), consent), "consent").id;
    wrote(3);
    if (!c.cleared) return true;
    ns::CourseRecord course = t.course;
    course.client_id = c.id;
    course.intake_id = c.intake;
    course.plan_json = personal(course.plan_json, c);
    course.start = std::chrono::floor<std::chrono::days>(at + std::chrono::days(3));
    course.created_at = at + 30min;
    c.course = must(store.insert_course(actor(course.created_at), course), "course").id;
    wrote();
    for (int r = 0; r * 6 < c.sessions; ++r) {
      ns::RollerRecord roller;
      roller.lot = fmt::format("LOT-{}", 2021 + (i + r) % 6);
      roller.serial = fmt::format("{}-{}", c.id, r + 1);
      roller.udi = fmt::format("(01)0{:013}(21){}", 4000000000000LL + i, roller.serial);
      roller.device = "dermaroller";
      roller.needle_count = 192;
      roller.needle_length = nu::millimetres(c.needle_mm);
      roller.expiry = *nu::parse_date("2029-12-31");
      roller.state = ns::RollerState::used;
      roller.client_id = c.id;
      roller.uses = std::min(6, c.sessions - r * 6);
      roller.registered_at = at;
      c.rollers.push_back(must(store.insert_roller(actor(at), roller), "roller").id);
      wrote();
    }
    if (chance(0.15)) {  // screened again later, with a new consent
      in.recorded_at = at + std::chrono::days(365);
      in.intake_date = std::chrono::floor<std::chrono::days>(in.recorded_at);
      c.intake = must(store.insert_intake(actor(in.recorded_at), in), "intake").id;
      consent.signed_at = in.recorded_at + 5min;
      c.consent = must(store.insert_consent(actor(consent.signed_at), consent), "consent").id;
      wrote(2);
    }
    return true;
  });

  // Sessions in the order they happened: the appointment kept, the session with its chart, every protocol
  // step, the aftercare message (sent), the follow-up the next day, and now and then an escalation.
  std::size_t next_session = 0;
  static const char* notes[] = {"even erythema",           "mild pinpoint bleeding on the forehead",
                                "client tolerated well",   "numbing cream 30 min before",
                                "slight edema at the end", ""};
  batched([&] {
    if (next_session == plan.size()) return false;
    const auto& p = plan[next_session++];
    const auto& c = clients[p.client];
    const auto area = std::string("face");
    ns::AppointmentRecord a;
    a.client_id = c.id;
    a.course_id = c.course;
    a.area = area;
    a.needle_length = nu::millimetres(c.needle_mm);
    a.at = p.at;
    a.state = ns::AppointmentState::done;
    const auto appointment =
        must(store.insert_appointment(actor(p.at - std::chrono::days(14)), a), "appointment");
    ns::SessionRecord s;
    s.client_id = c.id;
    s.appointment_id = appointment.id;
    s.intake_id = c.intake;
    s.consent_id = c.consent;
    s.roller_id = c.rollers[static_cast<std::size_t>(p.nth / 6)];
    s.area = area;
    s.device = "dermaroller";
    s.needle_length = nu::millimetres(c.needle_mm);
    s.pack = t.cleared.pack;
    s.started_at = p.at;
    s.finished_at = p.at + 45min;
    s.passes = 3 + static_cast<int>(rng() % 4);
    s.density = nu::per_square_centimetre(uniform(40, 90));
    s.effective_depth = nu::millimetres(c.needle_mm * uniform(0.4, 0.7));
    s.notes = fmt::format("[{} ana] {}", nu::format_date_time(p.at + 40min), notes[rng() % 6]);
    const auto session = must(store.insert_session(actor(p.at), s), "session");
    int minute = 0;
    for (const auto& step : seed_pack().steps) {
      must(store.insert_step(actor(p.at + std::chrono::minutes(minute)),
                             ns::StepRecord{0, session.id, step.id, p.at + std::chrono::minutes(minute)}),
           "step");
      minute += 4;
    }
    ns::OutboxMessage m = t.aftercare;
    m.client_id = c.id;
    m.session_id = session.id;
    m.dedupe_key =
        fmt::format("aftercare:session:{}", session.id);  // one aftercare per session, as finish queues it
    m.body = personal(m.body, c);
    m.created_at = *s.finished_at;
    if (!chance(0.03)) {
      m.sent_at = *s.finished_at + 5min;
      m.sent_by = "ana";
    }
    must(store.insert_message(actor(m.created_at), m), "aftercare message");
    const bool escalate = chance(0.05);
    ns::FollowupRecord f = escalate ? t.see_doctor : t.normal;
    f.session_id = session.id;
    f.observed_at = *s.finished_at + std::chrono::hours(escalate ? 26 : 20);
    const auto followup = must(store.insert_followup(actor(f.observed_at), f), "follow-up");
    wrote(4 + static_cast<int>(steps_per_session));
    if (escalate) {
      ns::EscalationRecord e;
      e.session_id = session.id;
      e.followup_id = followup.id;
      e.client_id = c.id;
      e.opened_at = f.observed_at;
      e.reason = t.escalation_reason;
      if (!chance(0.1)) {
        e.closed_at = f.observed_at + std::chrono::hours(30);
        e.closed_by = "dr.roe";
        e.close_note = "seen; redness settling, no infection";
      }
      must(store.insert_escalation(actor(f.observed_at), e), "escalation");
      in_tx += 1;
    }
    return true;
  });

  // The rest of a real history: photos before and after for some clients, a booked next visit for others.
  int next = 0;
  batched([&] {
    if (next == options.clients) return false;
    const auto& c = clients[next++];
    if (!c.cleared) return true;
    if (chance(0.2)) {
      for (const char* kind : {"before", "after"}) {
        ns::PhotoRecord ph;
        ph.client_id = c.id;
        ph.sha256 = ns::sha256_hex(c.id + kind);
        ph.media_type = "image/jpeg";
        ph.size_bytes = 350'000 + static_cast<std::int64_t>(rng() % 400'000);
        ph.kind = *ns::enum_from_string<ns::PhotoKind>(kind);
        ph.taken_at = first_visit[next - 1] + std::chrono::days(kind[0] == 'b' ? 3 : 200);
        ph.original_name = fmt::format("IMG_{:04}.jpg", rng() % 10000);
        must(store.insert_photo(actor(ph.taken_at), ph), "photo");
        in_tx += 1;
      }
    }
    if (chance(0.3)) {
      ns::AppointmentRecord a;
      a.client_id = c.id;
      a.course_id = c.course;
      a.area = "face";
      a.needle_length = nu::millimetres(c.needle_mm);
      a.at = horizon_end + std::chrono::days(static_cast<int>(rng() % 60)) + 10h;
      must(store.insert_appointment(actor(horizon_end), a), "appointment");
      in_tx += 1;
    }
    return true;
  });
  progress.add(0);
}

/// Copies every table of the generated SQLite clinic into an empty, migrated PostgreSQL database with COPY:
/// the same rows, ids and audit chain (both backends store the same columns as text, numbers and ids), then
/// moves the identity sequences past the copied ids and analyzes. Writing 15M rows through the PostgreSQL
/// Store instead costs several round trips per row (hours here; docs/performance.md).
void copy_sqlite_to_postgres(const std::string& sqlite_file, const std::string& conninfo) {
  sqlite3* src = nullptr;
  if (sqlite3_open_v2(sqlite_file.c_str(), &src, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
    die("opening " + sqlite_file);
  PGconn* dst = PQconnectdb(conninfo.c_str());
  if (PQstatus(dst) != CONNECTION_OK) die(fmt::format("PostgreSQL: {}", PQerrorMessage(dst)));
  auto run = [&](const std::string& sql) {
    PGresult* r = PQexec(dst, sql.c_str());
    const auto st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
      die(fmt::format("{}: {}", sql, PQresultErrorMessage(r)));
    PQclear(r);
  };
  // Parents before children (foreign keys); the audit log and its head last.
  const char* tables[] = {"users",        "clients", "intakes",  "consents",      "courses",
                          "appointments", "rollers", "sessions", "session_steps", "followups",
                          "escalations",  "outbox",  "photos",   "audit",         "audit_head"};
  std::int64_t total = 0;
  for (const char* t : tables) {
    sqlite3_stmt* count = nullptr;
    sqlite3_prepare_v2(src, fmt::format("SELECT count(*) FROM {}", t).c_str(), -1, &count, nullptr);
    sqlite3_step(count);
    total += sqlite3_column_int64(count, 0);
    sqlite3_finalize(count);
  }
  Progress progress(total);
  run("BEGIN");
  for (const char* t : tables) {
    std::vector<std::string> cols;
    sqlite3_stmt* info = nullptr;
    sqlite3_prepare_v2(src, fmt::format("PRAGMA table_info({})", t).c_str(), -1, &info, nullptr);
    while (sqlite3_step(info) == SQLITE_ROW)
      cols.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(info, 1)));
    sqlite3_finalize(info);
    std::string list;
    for (const auto& c : cols) list += (list.empty() ? "" : ", ") + c;
    if (std::string_view(t) == "audit_head")
      run("DELETE FROM audit_head");  // a migrated database may have one
    PGresult* r = PQexec(dst, fmt::format("COPY {} ({}) FROM STDIN", t, list).c_str());
    if (PQresultStatus(r) != PGRES_COPY_IN) die(PQresultErrorMessage(r));
    PQclear(r);
    sqlite3_stmt* rows = nullptr;
    sqlite3_prepare_v2(src, fmt::format("SELECT {} FROM {}", list, t).c_str(), -1, &rows, nullptr);
    std::string buf;
    std::int64_t n = 0;
    while (sqlite3_step(rows) == SQLITE_ROW) {
      for (int i = 0; i < static_cast<int>(cols.size()); ++i) {
        if (i > 0) buf += '\t';
        if (sqlite3_column_type(rows, i) == SQLITE_NULL) {
          buf += "\\N";
          continue;
        }
        // COPY text format: backslash, tab, newline and carriage return escaped.
        const auto* v = reinterpret_cast<const char*>(sqlite3_column_text(rows, i));
        for (const char* c = v; *c != '\0'; ++c) {
          switch (*c) {
            case '\\':
              buf += "\\\\";
              break;
            case '\t':
              buf += "\\t";
              break;
            case '\n':
              buf += "\\n";
              break;
            case '\r':
              buf += "\\r";
              break;
            default:
              buf += *c;
          }
        }
      }
      buf += '\n';
      if (buf.size() > (1 << 20)) {
        if (PQputCopyData(dst, buf.data(), static_cast<int>(buf.size())) != 1) die(PQerrorMessage(dst));
        buf.clear();
      }
      if (++n % 10000 == 0) progress.add(10000);
    }
    sqlite3_finalize(rows);
    if (!buf.empty() && PQputCopyData(dst, buf.data(), static_cast<int>(buf.size())) != 1)
      die(PQerrorMessage(dst));
    if (PQputCopyEnd(dst, nullptr) != 1) die(PQerrorMessage(dst));
    r = PQgetResult(dst);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) die(fmt::format("COPY {}: {}", t, PQresultErrorMessage(r)));
    PQclear(r);
    while ((r = PQgetResult(dst)) != nullptr) PQclear(r);
    progress.add(n % 10000);
    if (std::string_view(t) != "clients" && std::string_view(t) != "audit" &&
        std::string_view(t) != "audit_head") {
      run(fmt::format(
          "SELECT setval(pg_get_serial_sequence('{0}', 'id'), GREATEST(1, (SELECT max(id) FROM {0})))", t));
    }
  }
  run("COMMIT");
  PQfinish(dst);
  sqlite3_close(src);
}

/// The generated clinic on a backend, made if missing: its `where`.
std::string ensure_clinic(Backend b) {
  static std::map<Backend, std::string> ready;
  if (auto it = ready.find(b); it != ready.end()) return it->second;
  const auto loc = clinic_location(b);
  bool exists = false;
  if (b == Backend::sqlite) {
    fs::create_directories(options.cache_dir);
    exists = fs::exists(loc.where);
  } else {
    exists = pg_exec(options.pg, fmt::format("SELECT count(*) FROM pg_database WHERE datname = '{}'",
                                             loc.pg_name)) == "1";
  }
  if (!exists) {
    std::fprintf(
        stderr,
        "store_bench: generating a clinic of %d clients and %lld sessions on %s (cached for next time)\n",
        options.clients, static_cast<long long>(options.sessions), std::string(name_of(b)).c_str());
    const std::string sqlite_clinic = b == Backend::postgres ? ensure_clinic(Backend::sqlite) : "";
    const auto start = Clock::now();
    if (b == Backend::sqlite) {
      for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(loc.partial + suffix);
    } else {
      pg_exec(options.pg, fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", loc.pg_partial));
      pg_exec(options.pg, fmt::format("CREATE DATABASE {}", loc.pg_partial));
    }
    {
      auto store = must(open_where(b, loc.partial), "opening the clinic being generated");  // migrated
      if (b == Backend::sqlite) generate(*store);
    }  // closed: SQLite checkpoints its WAL into the file
    if (b == Backend::postgres) copy_sqlite_to_postgres(sqlite_clinic, loc.partial);
    // Complete only now: renamed, so an interrupted generation is never taken for a clinic.
    if (b == Backend::sqlite) {
      fs::rename(loc.partial, loc.where);
    } else {
      pg_exec(options.pg, fmt::format("ALTER DATABASE {} RENAME TO {}", loc.pg_partial, loc.pg_name));
      pg_exec(loc.where, "VACUUM ANALYZE");
    }
    std::fprintf(stderr, "store_bench: generated in %.0f s\n",
                 std::chrono::duration<double>(Clock::now() - start).count());
  }
  return ready[b] = loc.where;
}

// ---- measuring -----------------------------------------------------------------------------------------

struct Percentiles {
  double p50, p99, p999, mean, max;
};
Percentiles percentiles(std::vector<double> v) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
  };
  return {at(0.50), at(0.99), at(0.999),
          std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()), v.back()};
}

double micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

/// Where a history read finds its rows: `warm`, every page of the tables and indexes it touches in the OS
/// page cache (as on a server whose memory holds that part of the database); `cold`, none of the database
/// cached (every page from the disk).
enum class Cache { warm, cold };

/// The tables a history read touches (ClinicStore::history), with their indexes.
constexpr const char* history_tables[] = {"clients",  "intakes",   "consents",    "courses", "appointments",
                                          "sessions", "followups", "escalations", "photos"};

/// The files holding a database: the SQLite file and its WAL, or a PostgreSQL database's folder.
std::vector<fs::path> database_files(Backend b, const std::string& where) {
  std::vector<fs::path> out;
  if (b == Backend::sqlite) {
    for (const char* suffix : {"", "-wal"}) {
      if (fs::exists(where + suffix)) out.emplace_back(where + suffix);
    }
    return out;
  }
  const fs::path dir = fs::path(pg_exec(where, "SHOW data_directory")) / "base" /
                       pg_exec(where, "SELECT oid FROM pg_database WHERE datname = current_database()");
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(dir, ec)) {
    if (f.is_regular_file()) out.push_back(f.path());
  }
  if (ec || out.empty())
    die(fmt::format("cannot list {} to drop it from the page cache: {}", dir.string(), ec.message()));
  return out;
}

/// Drops the files' pages from the OS page cache (posix_fadvise DONTNEED; clean pages only, which all are
/// between benchmarks): the next reads go to the disk.
void evict_from_page_cache(const std::vector<fs::path>& files) {
  for (const auto& f : files) {
    const int fd = ::open(f.c_str(), O_RDONLY);
    // PostgreSQL removes and rewrites some files of its own while it runs (pg_internal.init when the catalog
    // changes, as other tests' CREATE/DROP DATABASE do): one gone since the folder was listed has no pages.
    if (fd < 0 && errno == ENOENT) continue;
    if (fd < 0) die("cannot open " + f.string() + " to drop it from the page cache");
    ::fdatasync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
  }
}

/// Reads every page of the history tables and their indexes (overflow and TOAST pages included) into the OS
/// page cache: SQLite walks each b-tree through dbstat, PostgreSQL reads each relation with pg_prewarm.
void prewarm_history_tables(Backend b, const std::string& where) {
  if (b == Backend::sqlite) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(where.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
      die("prewarm: opening " + where);
    std::string names;
    for (const char* t : history_tables) names += fmt::format("{}'{}'", names.empty() ? "" : ", ", t);
    sqlite3_stmt* st = nullptr;
    const auto sql = fmt::format(
        "SELECT count(*) FROM dbstat WHERE name IN (SELECT name FROM sqlite_schema WHERE tbl_name IN ({}))",
        names);
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
      die(fmt::format("prewarm: {}", sqlite3_errmsg(db)));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return;
  }
  std::string names;
  for (const char* t : history_tables) names += fmt::format("{}'{}'", names.empty() ? "" : ", ", t);
  pg_exec(where, "CREATE EXTENSION IF NOT EXISTS pg_prewarm");
  pg_exec(where,
          fmt::format(
              "WITH t AS (SELECT oid, reltoastrelid FROM pg_class WHERE relname IN ({}) AND relkind = 'r'), "
              "rel AS (SELECT oid FROM t UNION SELECT reltoastrelid FROM t WHERE reltoastrelid <> 0 "
              "UNION SELECT indexrelid FROM pg_index WHERE indrelid IN (SELECT oid FROM t) "
              "OR indrelid IN (SELECT reltoastrelid FROM t)) "
              "SELECT sum(pg_prewarm(oid, 'read')) FROM rel",
              names));
}

void BM_ClientHistory(benchmark::State& state, Backend b, Cache cache) {
  static std::map<Backend, std::unique_ptr<ns::Store>> stores;
  auto& store = stores[b];
  const std::string where = ensure_clinic(b);
  if (cache == Cache::cold) {
    store.reset();  // SQLite's own page cache goes with the connection
    evict_from_page_cache(database_files(b, where));
  } else {
    prewarm_history_tables(b, where);
  }
  if (!store) store = must(open_where(b, where), "opening the generated clinic");
  ns::ClinicStore clinic(*store, seed_pack(), {.regions = &skin_regions()});
  static std::uint64_t run = 0;
  std::mt19937_64 rng(42 + run++);
  std::uniform_int_distribution<int> pick(1, options.clients);
  std::vector<double> us;
  std::vector<int> sessions_of_read;  // with us: what makes the slow reads slow
  us.reserve(1 << 20);
  sessions_of_read.reserve(1 << 20);
  std::int64_t sessions = 0, rows = 0;
  for (auto _ : state) {
    const std::string id = fmt::format("C-{:06}", pick(rng));
    const auto t0 = Clock::now();
    auto h = clinic.history(id);
    const auto t1 = Clock::now();
    if (!h) {
      state.SkipWithError(h.error().describe().c_str());
      return;
    }
    benchmark::DoNotOptimize(h);
    us.push_back(micros(t1 - t0));
    sessions_of_read.push_back(static_cast<int>(h->sessions.size()));
    sessions += static_cast<std::int64_t>(h->sessions.size());
    rows += static_cast<std::int64_t>(1 + h->intakes.size() + h->consents.size() + h->courses.size() +
                                      h->appointments.size() + h->sessions.size() + h->followups.size() +
                                      h->escalations.size() + h->photos.size());
  }
  const auto p = percentiles(us);
  state.counters["p50_us"] = p.p50;
  state.counters["p99_us"] = p.p99;
  state.counters["p999_us"] = p.p999;
  state.counters["mean_us"] = p.mean;
  state.counters["max_us"] = p.max;
  state.counters["sessions_per_read"] = static_cast<double>(sessions) / static_cast<double>(us.size());
  // The reads at or above p99: how many sessions those clients have (the tail's cause: CPU per session, or
  // I/O).
  double slow_sessions = 0;
  int slow = 0;
  for (std::size_t i = 0; i < us.size(); ++i) {
    if (us[i] >= p.p99) slow_sessions += sessions_of_read[i], ++slow;
  }
  state.counters["p99_reads_sessions"] = slow > 0 ? slow_sessions / slow : 0.0;
  state.counters["rows_per_read"] = static_cast<double>(rows) / static_cast<double>(us.size());
  state.SetItemsProcessed(state.iterations());
}

/// The same reads from several threads at once, each with a connection of its own (as the HTTP server's read
/// pool gives each of its threads): the in-process rate `needlework serve`'s history reads are held to at the
/// same number of threads (scripts/bench-server.sh). Runs after BM_ClientHistory/<backend>/warm, which made
/// the clinic and warmed the page cache.
void BM_ClientHistoryThreads(benchmark::State& state, Backend b) {
  static std::once_flag made;
  static std::string where;
  std::call_once(made, [&] { where = ensure_clinic(b); });
  auto store = must(open_where(b, where), "opening the generated clinic");
  ns::ClinicStore clinic(*store, seed_pack(), {.regions = &skin_regions()});
  static std::atomic<std::uint64_t> run{0};
  std::mt19937_64 rng(4242 + run++);
  std::uniform_int_distribution<int> pick(1, options.clients);
  std::vector<double> us;
  us.reserve(1 << 18);
  for (auto _ : state) {
    const std::string id = fmt::format("C-{:06}", pick(rng));
    const auto t0 = Clock::now();
    auto h = clinic.history(id);
    const auto t1 = Clock::now();
    if (!h) {
      state.SkipWithError(h.error().describe().c_str());
      return;
    }
    benchmark::DoNotOptimize(h);
    us.push_back(micros(t1 - t0));
  }
  const auto p = percentiles(us);
  state.counters["p50_us"] = benchmark::Counter(p.p50, benchmark::Counter::kAvgThreads);
  state.counters["p99_us"] = benchmark::Counter(p.p99, benchmark::Counter::kAvgThreads);
  state.counters["p999_us"] = benchmark::Counter(p.p999, benchmark::Counter::kAvgThreads);
  state.SetItemsProcessed(state.iterations());
}

/// A fresh database for the write benchmarks (never the generated clinic), with the client, intake, consent
/// and roller a session record points at.
struct WriteTarget {
  std::string where;
  std::string pg_name;
  std::unique_ptr<ns::Store> store;
  ns::SessionRecord session;  // the record each write inserts

  explicit WriteTarget(Backend b) {
    static int counter = 0;
    const std::string name = fmt::format("nw_bench_writes_{}_{}", getpid(), counter++);
    if (b == Backend::sqlite) {
      fs::create_directories(options.cache_dir);
      where = (options.cache_dir / (name + ".db")).string();
    } else {
      pg_name = name;
      pg_exec(options.pg, fmt::format("CREATE DATABASE {}", name));
      where = pg_with_db(options.pg, name);
    }
    store = must(open_where(b, where), "opening the write database");
    const Templates t = make_templates();
    const ns::Actor by{"ana", *nu::parse_date_time("2026-11-20T09:00:00Z")};
    must(store->transaction([&]() -> Result<void> {
      ns::ClientRecord c{"C-W", "Writer Client", std::nullopt, by.at};
      must(store->insert_client(by, c), "client");
      auto in = t.cleared;
      in.client_id = c.id;
      session.intake_id = must(store->insert_intake(by, in), "intake").id;
      ns::ConsentRecord consent{0, c.id, t.consent_sha256, c.name, by.at, std::nullopt, ""};
      session.consent_id = must(store->insert_consent(by, consent), "consent").id;
      ns::RollerRecord r;
      r.lot = "LOT-W";
      r.serial = "1";
      r.device = "dermaroller";
      r.needle_count = 192;
      r.needle_length = nu::millimetres(1.0);
      r.expiry = *nu::parse_date("2029-12-31");
      r.state = ns::RollerState::assigned;
      r.client_id = c.id;
      r.registered_at = by.at;
      session.roller_id = must(store->insert_roller(by, r), "roller").id;
      return {};
    }),
         "setting up the write database");
    session.client_id = "C-W";
    session.area = "face";
    session.device = "dermaroller";
    session.needle_length = nu::millimetres(1.0);
    session.pack = t.cleared.pack;
    session.started_at = *nu::parse_date_time("2026-11-24T10:00:00Z");
    session.finished_at = session.started_at + 45min;
    session.passes = 4;
    session.density = nu::per_square_centimetre(61.2);
    session.effective_depth = nu::millimetres(0.45);
    session.notes = "[2026-11-24T10:40:00Z ana] even erythema";
  }
  ~WriteTarget() {
    store.reset();
    if (pg_name.empty()) {
      for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(where + suffix);
    } else {
      pg_exec(options.pg, fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", pg_name));
    }
  }
};

const ns::Actor writer_actor{"ana", *nu::parse_date_time("2026-11-24T10:00:00Z")};

void BM_RawSingleRowCommit(benchmark::State& state, Backend b) {
  if (b == Backend::sqlite) {
    fs::create_directories(options.cache_dir);
    const auto path = (options.cache_dir / fmt::format("raw-{}.db", getpid())).string();
    sqlite3* db = nullptr;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) die("raw SQLite open");
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE IF NOT EXISTS t (id INTEGER "
                 "PRIMARY KEY, v TEXT NOT NULL)",
                 nullptr, nullptr, nullptr);
    sqlite3_stmt* ins = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO t (v) VALUES ('a row of about the size of a session record')", -1,
                       &ins, nullptr);
    for (auto _ : state) {
      if (sqlite3_step(ins) != SQLITE_DONE) die("raw SQLite insert");  // autocommit: one fsync'd transaction
      sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    sqlite3_close(db);
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix);
  } else {
    const std::string name = fmt::format("nw_bench_raw_{}", getpid());
    pg_exec(options.pg, fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", name));
    pg_exec(options.pg, fmt::format("CREATE DATABASE {}", name));
    PGconn* conn = PQconnectdb(pg_with_db(options.pg, name).c_str());
    PQclear(PQexec(conn, "CREATE TABLE t (id bigserial PRIMARY KEY, v text NOT NULL)"));
    for (auto _ : state) {
      PGresult* r = PQexec(conn, "INSERT INTO t (v) VALUES ('a row of about the size of a session record')");
      if (PQresultStatus(r) != PGRES_COMMAND_OK) die(PQresultErrorMessage(r));
      PQclear(r);
    }
    PQfinish(conn);
    pg_exec(options.pg, fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", name));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_SingleRowCommit(benchmark::State& state, Backend b) {
  WriteTarget target(b);
  for (auto _ : state) {
    // Outside any transaction: the write is its own transaction, committed (fsync'd) before it returns.
    auto r = target.store->insert_session(writer_actor, target.session);
    if (!r) {
      state.SkipWithError(r.error().describe().c_str());
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

/// What one session write costs the writer when no commit waits for the disk: 1000 writes per transaction,
/// each in its own savepoint as in a group commit. The ceiling of the group-commit rate on one writer thread.
void BM_WriteCost(benchmark::State& state, Backend b, bool text_ahead) {
  WriteTarget target(b);
  const auto text = ns::canonical_without_id(ns::to_json(target.session));
  constexpr int per_transaction = 1000;
  for (auto _ : state) {
    auto r = target.store->transaction([&]() -> Result<void> {
      for (int i = 0; i < per_transaction; ++i) {
        auto w = target.store->transaction([&]() -> Result<void> {
          auto s = text_ahead ? target.store->insert_session(writer_actor, target.session, text)
                              : target.store->insert_session(writer_actor, target.session);
          if (!s) return std::unexpected(s.error());
          return {};
        });
        if (!w) return w;
      }
      return {};
    });
    if (!r) {
      state.SkipWithError(r.error().describe().c_str());
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * per_transaction);
}

/// SHA-256 of a record-sized text (1,200 bytes, about a session's canonical JSON): OpenSSL's, which
/// `sha256_hex` uses, against libsodium's portable one, which it used before.
void BM_Sha256(benchmark::State& state, bool openssl) {
  if (sodium_init() < 0) die("libsodium failed to initialise");
  std::string text(1200, 'x');
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  std::size_t n = 0;
  for (auto _ : state) {
    text[n++ % text.size()] += 1;  // a different text each time
    if (openssl) {
      benchmark::DoNotOptimize(ns::sha256_hex(text));
    } else {
      crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(text.data()), text.size());
      benchmark::DoNotOptimize(digest);
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}

/// The canonical text of the written session record, the costly part of its audit digest: as the writer
/// makes it without help (to_json and canonical, after the insert) and as a submitting thread makes it ahead
/// (canonical_without_id).
void BM_RecordText(benchmark::State& state, bool ahead) {
  WriteTarget target(Backend::sqlite);
  for (auto _ : state) {
    if (ahead) {
      benchmark::DoNotOptimize(ns::canonical_without_id(ns::to_json(target.session)));
    } else {
      benchmark::DoNotOptimize(ns::canonical(ns::to_json(target.session)));
    }
  }
}

/// Ends a group-commit iteration: its time from `start`, the committer's counters, the committer closed.
/// False (the benchmark skipped with an error) when a write failed.
bool end_iteration(benchmark::State& state, ns::GroupCommitter& committer, Clock::time_point start,
                   bool failed, ns::GroupCommitStats& last) {
  const auto elapsed = Clock::now() - start;
  last = committer.stats();
  committer.close();
  if (failed) {
    state.SkipWithError("a group-committed write failed");
    return false;
  }
  state.SetIterationTime(std::chrono::duration<double>(elapsed).count());
  return true;
}

/// The counters every group-commit benchmark reports: acknowledgement latency and batch sizes.
void report_acks(benchmark::State& state, const std::vector<double>& ack_us, std::int64_t written,
                 const ns::GroupCommitStats& last) {
  const auto p = percentiles(ack_us);
  state.SetItemsProcessed(written);
  state.counters["ack_p50_us"] = p.p50;
  state.counters["ack_p99_us"] = p.p99;
  state.counters["mean_batch"] =
      static_cast<double>(last.writes) / static_cast<double>(std::max<std::int64_t>(1, last.batches));
  state.counters["largest_batch"] = static_cast<double>(last.largest_batch);
}

void BM_GroupCommit(benchmark::State& state, Backend b) {
  const int writers = static_cast<int>(state.range(0));
  const int per_writer = std::max(1, options.group_writes / writers);
  WriteTarget target(b);
  std::vector<double> ack_us;
  std::int64_t written = 0;
  ns::GroupCommitStats last{};
  for (auto _ : state) {
    ack_us.assign(static_cast<std::size_t>(writers) * per_writer, 0.0);
    ns::GroupCommitter committer(*target.store);
    std::latch go(writers + 1);
    std::atomic<bool> failed{false};
    std::vector<std::thread> pool;
    for (int w = 0; w < writers; ++w) {
      pool.emplace_back([&, w] {
        go.arrive_and_wait();
        for (int n = 0; n < per_writer; ++n) {
          const auto t0 = Clock::now();
          // The part of the write that needs no lock, on this thread: the record's canonical text.
          auto text = ns::canonical_without_id(ns::to_json(target.session));
          auto r = committer
                       .submit([&target, text = std::move(text)](ns::Store& s) {
                         return s.insert_session(writer_actor, target.session, text);
                       })
                       .get();
          ack_us[static_cast<std::size_t>(w) * per_writer + n] = micros(Clock::now() - t0);
          if (!r) failed = true;
        }
      });
    }
    const auto start = Clock::now();
    go.arrive_and_wait();
    for (auto& th : pool) th.join();
    if (!end_iteration(state, committer, start, failed, last)) return;
    written += static_cast<std::int64_t>(writers) * per_writer;
  }
  report_acks(state, ack_us, written, last);
}

/// Group commit as an event-loop server (the HTTP API on RESTinio/Asio) drives it: one loop thread keeps N
/// session writes in flight, submitting each with a completion callback instead of a thread blocked on it;
/// completions are posted back to the loop (as a response is posted to its connection), which records each
/// write's latency and submits the next, making its canonical text first.
void BM_GroupCommitEventLoop(benchmark::State& state, Backend b) {
  const int in_flight = static_cast<int>(state.range(0));
  const int total = std::max(options.group_writes, in_flight);
  WriteTarget target(b);
  std::vector<double> ack_us;
  std::int64_t written = 0;
  ns::GroupCommitStats last{};
  for (auto _ : state) {
    ack_us.assign(static_cast<std::size_t>(total), 0.0);
    std::vector<Clock::time_point> submitted(static_cast<std::size_t>(total));
    ns::GroupCommitter committer(*target.store);
    std::mutex m;
    std::condition_variable posted;
    std::vector<std::pair<int, bool>> completions;  // (write, ok), posted by the committer
    int next = 0, done = 0;
    bool failed = false;
    auto submit_next = [&] {
      const int n = next++;
      auto text = ns::canonical_without_id(ns::to_json(target.session));
      submitted[static_cast<std::size_t>(n)] = Clock::now();
      committer.submit([&target, text = std::move(text)](
                           ns::Store& s) { return s.insert_session(writer_actor, target.session, text); },
                       [&, n](Result<ns::SessionRecord> r) {
                         {
                           std::lock_guard lock(m);
                           completions.emplace_back(n, r.has_value());
                         }
                         posted.notify_one();
                       });
    };
    const auto start = Clock::now();
    for (int i = 0; i < in_flight; ++i) submit_next();
    std::vector<std::pair<int, bool>> ready;
    while (done < total) {
      {
        std::unique_lock lock(m);
        posted.wait(lock, [&] { return !completions.empty(); });
        ready.swap(completions);
      }
      const auto now = Clock::now();
      for (const auto& [n, ok] : ready) {
        ack_us[static_cast<std::size_t>(n)] = micros(now - submitted[static_cast<std::size_t>(n)]);
        failed = failed || !ok;
        ++done;
        if (next < total) submit_next();
      }
      ready.clear();
    }
    if (!end_iteration(state, committer, start, failed, last)) return;
    written += total;
  }
  report_acks(state, ack_us, written, last);
}

std::vector<int> parse_list(std::string_view text) {
  std::vector<int> out;
  std::istringstream in{std::string(text)};
  for (std::string part; std::getline(in, part, ',');) out.push_back(std::stoi(part));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (const char* pg = std::getenv("NEEDLEWORK_BENCH_PG")) options.pg = pg;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&](std::string_view flag) -> std::optional<std::string_view> {
      if (a.starts_with(flag) && a.size() > flag.size() && a[flag.size()] == '=')
        return a.substr(flag.size() + 1);
      return std::nullopt;
    };
    if (auto v = value("--clients")) {
      options.clients = std::stoi(std::string(*v));
    } else if (auto v2 = value("--sessions")) {
      options.sessions = std::stoll(std::string(*v2));
    } else if (auto v3 = value("--cache-dir")) {
      options.cache_dir = std::string(*v3);
    } else if (auto v4 = value("--pg")) {
      options.pg = std::string(*v4);
    } else if (auto ve = value("--pg-env")) {
      if (const char* pg = std::getenv(std::string(*ve).c_str()); pg != nullptr && *pg != '\0')
        options.pg = pg;
    } else if (auto v5 = value("--group-writes")) {
      options.group_writes = std::stoi(std::string(*v5));
    } else if (auto v6 = value("--writers")) {
      options.writers = parse_list(*v6);
    } else if (auto v8 = value("--history-threads")) {
      options.history_threads = std::stoi(std::string(*v8));
    } else if (auto v9 = value("--cache-mib")) {
      options.sqlite.cache_mib = std::stoi(std::string(*v9));
    } else {
      std::fprintf(
          stderr,
          "store_bench: unknown option %s\n(--clients=N --sessions=N --cache-dir=DIR --pg=CONNINFO "
          "--group-writes=N --writers=16,64,256, --history-threads=N, --cache-mib=N (SQLite), and Google "
          "Benchmark's)\n",
          argv[i]);
      return 2;
    }
  }
  if (options.clients < 1 || options.sessions < options.clients) die("--sessions must be at least --clients");

  benchmark::RegisterBenchmark("BM_Sha256/openssl", BM_Sha256, true)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_Sha256/libsodium", BM_Sha256, false)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_RecordText/by_writer", BM_RecordText, false)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_RecordText/ahead", BM_RecordText, true)->Unit(benchmark::kMicrosecond);
  std::vector<Backend> backends{Backend::sqlite};
  if (!options.pg.empty()) backends.push_back(Backend::postgres);
  for (const Backend b : backends) {
    const std::string n(name_of(b));
    benchmark::RegisterBenchmark(("BM_ClientHistory/" + n + "/warm").c_str(), BM_ClientHistory, b,
                                 Cache::warm)
        ->Unit(benchmark::kMicrosecond);
    if (options.history_threads > 1) {
      benchmark::RegisterBenchmark(("BM_ClientHistory/" + n + "/warm").c_str(), BM_ClientHistoryThreads, b)
          ->Threads(options.history_threads)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond);
    }
    benchmark::RegisterBenchmark(("BM_ClientHistory/" + n + "/cold").c_str(), BM_ClientHistory, b,
                                 Cache::cold)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("BM_RawSingleRowCommit/" + n).c_str(), BM_RawSingleRowCommit, b)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("BM_SingleRowCommit/" + n).c_str(), BM_SingleRowCommit, b)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("BM_WriteCost/" + n).c_str(), BM_WriteCost, b, false)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("BM_WriteCost/" + n + "/text_ahead").c_str(), BM_WriteCost, b, true)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    auto* group = benchmark::RegisterBenchmark(("BM_GroupCommit/" + n).c_str(), BM_GroupCommit, b);
    group->ArgName("writers")->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);
    for (int w : options.writers) group->Arg(w);
    auto* loop =
        benchmark::RegisterBenchmark(("BM_GroupCommitEventLoop/" + n).c_str(), BM_GroupCommitEventLoop, b);
    loop->ArgName("in_flight")->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);
    for (int w : options.writers) loop->Arg(w);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
