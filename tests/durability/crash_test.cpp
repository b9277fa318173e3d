// The crash test: the writer process (crash_writer.cpp) is killed with SIGKILL at random points, many times,
// on one database. After every kill the database must open and migrate cleanly, hold every session the writer
// acknowledged with exactly the values it wrote, hold nothing half-written (every session whole: its roller,
// all protocol steps, its chart and finish, its aftercare message; exactly one audit entry per row written),
// keep every session committed before, and pass `verify_audit`; the next run continues the same database. The
// kill point is the number of acknowledgements read before the kill, drawn from a seeded RNG whose seed is
// printed (set NEEDLEWORK_CRASH_SEED to replay a run). There is no sleeping: the test kills on reading the
// k-th acknowledgement, wherever the writer is then.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <random>
#include <set>

#include "scratch_db.hpp"

extern char** environ;

namespace {

using namespace durability;
using namespace std::chrono_literals;

constexpr int writer_threads = 4;
constexpr int writes_per_thread = 25;
constexpr int most_acks_before_kill = 30;

/// One run of the writer: the acknowledgements it printed (all of them, also those read after the kill),
/// and how it ended.
struct RunOutcome {
  std::vector<Ack> acks;
  bool killed = false;
  bool done = false;  // printed "done": every write acknowledged
  int status = 0;
  std::vector<std::string> bad_lines;
};

/// Spawns the writer, reads its acknowledgements and SIGKILLs it after `kill_after` of them (never, if
/// negative).
RunOutcome run_writer(const std::string& where, int run, int kill_after) {
  RunOutcome out;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  const std::string run_s = std::to_string(run), threads_s = std::to_string(writer_threads),
                    writes_s = std::to_string(writes_per_thread);
  std::vector<char*> argv{const_cast<char*>(CRASH_WRITER),     const_cast<char*>(where.c_str()),
                          const_cast<char*>(run_s.c_str()),    const_cast<char*>(threads_s.c_str()),
                          const_cast<char*>(writes_s.c_str()), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, CRASH_WRITER, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    throw std::runtime_error("cannot start " + std::string(CRASH_WRITER));
  }
  if (kill_after == 0) {
    kill(pid, SIGKILL);  // while it starts: opening, migrating or setting up its clients
    out.killed = true;
  }
  std::string buffer;
  char chunk[4096];
  for (;;) {
    const auto n = read(fds[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buffer.append(chunk, static_cast<std::size_t>(n));
    std::size_t eol;
    while ((eol = buffer.find('\n')) != std::string::npos) {
      const std::string line = buffer.substr(0, eol);
      buffer.erase(0, eol + 1);
      if (auto a = parse_ack(line)) {
        out.acks.push_back(*a);
        if (!out.killed && static_cast<int>(out.acks.size()) == kill_after) {
          kill(pid, SIGKILL);
          out.killed = true;
        }
      } else if (line.starts_with("done ")) {
        out.done = true;
      } else {
        out.bad_lines.push_back(line);
      }
    }
  }
  if (!buffer.empty()) out.bad_lines.push_back("unterminated: " + buffer);
  close(fds[0]);
  while (waitpid(pid, &out.status, 0) < 0 && errno == EINTR) {
  }
  return out;
}

class CrashTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_.create(GetParam());
    if (IsSkipped() || HasFatalFailure()) return;
    steps_ = seed_pack().steps.size();
  }

  /// Every check after a run; `acks` is every acknowledgement of every run so far.
  void check_database(const std::vector<Ack>& acks) {
    if (db_.backend() == Backend::sqlite) check_sqlite_file();
    auto opened = db_.open();  // opens and migrates: recovery after the kill
    ASSERT_TRUE(opened) << opened.error().describe();
    ns::Store& store = **opened;

    for (const auto& a : acks) check_acknowledged(store, a);

    // Nothing half-written: every client set up whole, every session whole, one audit entry per row.
    std::map<std::string, std::set<std::string>> rows;  // table → ids present
    std::int64_t clients = 0, sessions = 0;
    std::set<ns::Id> session_ids;
    for (int t = 0; t < writer_threads; ++t) {
      for (int j = 0; j < clients_per_thread; ++j) {
        const std::string id = client_id(t, j);
        auto c = store.find_client(id);
        ASSERT_TRUE(c);
        if (!*c) continue;
        ++clients;
        rows["clients"].insert(id);
        auto intakes = store.intakes_of(id);
        auto consents = store.consents_of(id);
        ASSERT_TRUE(intakes && consents);
        ASSERT_EQ(intakes->size(), 1u) << id;
        ASSERT_EQ(consents->size(), 1u) << id;
        rows["intakes"].insert(std::to_string(intakes->front().id));
        rows["consents"].insert(std::to_string(consents->front().id));
        auto list = store.sessions_of(id);
        ASSERT_TRUE(list);
        for (const auto& s : *list) {
          ++sessions;
          session_ids.insert(s.id);
          rows["sessions"].insert(std::to_string(s.id));
          rows["rollers"].insert(std::to_string(s.roller_id));
          EXPECT_TRUE(s.finished_at.has_value()) << "session " << s.id << " not finished";
          EXPECT_TRUE(s.passes.has_value()) << "session " << s.id << " not charted";
          auto steps = store.steps_of(s.id);
          ASSERT_TRUE(steps);
          EXPECT_EQ(steps->size(), steps_) << "session " << s.id;
          for (const auto& st : *steps) rows["session_steps"].insert(std::to_string(st.id));
          auto roller = store.find_roller(s.roller_id);
          ASSERT_TRUE(roller && *roller) << "session " << s.id << " without its roller";
          EXPECT_EQ((*roller)->state, ns::RollerState::used);
          EXPECT_EQ((*roller)->uses, 1);
          EXPECT_EQ((*roller)->client_id, id);
        }
      }
    }
    auto rollers = store.rollers();
    ASSERT_TRUE(rollers);
    EXPECT_EQ(rollers->size(), rows["rollers"].size()) << "a roller without its session";
    auto messages = store.messages(true);
    ASSERT_TRUE(messages);
    std::set<ns::Id> message_sessions;
    for (const auto& m : *messages) {
      rows["outbox"].insert(std::to_string(m.id));
      ASSERT_TRUE(m.session_id.has_value());
      EXPECT_TRUE(message_sessions.insert(*m.session_id).second)
          << "two messages for session " << *m.session_id;
    }
    EXPECT_EQ(message_sessions, session_ids) << "every session, and only they, queued its aftercare";

    auto log = store.audit_log();
    ASSERT_TRUE(log);
    std::map<std::string, std::set<std::string>> audited;
    for (const auto& e : *log) {
      if (e.action == "insert") {
        EXPECT_TRUE(audited[e.entity].insert(e.entity_id).second)
            << "two inserts of " << e.entity << e.entity_id;
      }
    }
    for (const char* table :
         {"clients", "intakes", "consents", "rollers", "sessions", "session_steps", "outbox"}) {
      EXPECT_EQ(audited[table], rows[table]) << "audit entries of " << table << " vs its rows";
    }
    EXPECT_EQ(static_cast<std::int64_t>(log->size()),
              audit_entries_per_client * clients + audit_entries_per_session(steps_) * sessions);
    auto check = store.verify_audit();
    ASSERT_TRUE(check) << check.error().describe();
    EXPECT_TRUE(check->ok) << check->problem << " at seq " << check->first_bad_seq;

    // Nothing committed earlier is lost later (acknowledged or not).
    for (ns::Id id : seen_sessions_) EXPECT_TRUE(session_ids.contains(id)) << "session " << id << " vanished";
    seen_sessions_ = session_ids;
  }

  void check_acknowledged(ns::Store& store, const Ack& a) {
    SCOPED_TRACE(testing::Message() << "acknowledged run " << a.key.run << " thread " << a.key.thread
                                    << " write " << a.key.n << " session " << a.ids.session);
    auto found = store.find_session(a.ids.session);
    ASSERT_TRUE(found);
    ASSERT_TRUE(found->has_value()) << "an acknowledged session is missing";
    const ns::SessionRecord& s = **found;
    const CrashChart c = expected_chart(a.key);
    EXPECT_EQ(s.client_id, a.key.client);
    EXPECT_EQ(s.roller_id, a.ids.roller);
    EXPECT_EQ(s.area, "face");
    EXPECT_EQ(s.device, "dermaroller");
    EXPECT_DOUBLE_EQ(nu::in_mm(s.needle_length), needle_mm);
    EXPECT_EQ(s.started_at, a.key.at);
    EXPECT_EQ(s.finished_at, std::optional<nu::DateTime>(a.key.at + session_length));
    EXPECT_EQ(s.passes, std::optional<int>(c.passes));
    ASSERT_TRUE(s.density && s.effective_depth);
    EXPECT_DOUBLE_EQ(nu::in_per_cm2(*s.density), c.density_per_cm2);
    EXPECT_DOUBLE_EQ(nu::in_mm(*s.effective_depth), c.effective_depth_mm);
    // The chart's note last (the start may have recorded an acknowledged depth-guard warning before it).
    const auto note =
        fmt::format("[{} crash-t{}] {}", nu::format_date_time(a.key.at + 25min), a.key.thread, c.notes);
    EXPECT_TRUE(s.notes.ends_with(note)) << s.notes;
    auto steps = store.steps_of(s.id);
    ASSERT_TRUE(steps);
    ASSERT_EQ(steps->size(), steps_);
    for (std::size_t i = 0; i < steps_; ++i) {
      EXPECT_EQ((*steps)[i].step, seed_pack().steps[i].id);
      EXPECT_EQ((*steps)[i].at, a.key.at + std::chrono::minutes(i + 1));
    }
    auto roller = store.find_roller(a.ids.roller);
    ASSERT_TRUE(roller && *roller);
    EXPECT_EQ((*roller)->lot, roller_lot(a.key));
    EXPECT_EQ((*roller)->serial, roller_serial(a.key));
    EXPECT_EQ((*roller)->client_id, a.key.client);
  }

  void check_sqlite_file() {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_.where().c_str(), &db), SQLITE_OK);
    auto one = [&](const char* sql) {
      sqlite3_stmt* st = nullptr;
      std::string out = "(no row)";
      if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        const auto* t = sqlite3_column_text(st, 0);
        out = t != nullptr ? reinterpret_cast<const char*>(t) : "NULL";
      }
      sqlite3_finalize(st);
      return out;
    };
    EXPECT_EQ(one("PRAGMA integrity_check"), "ok");
    EXPECT_EQ(one("PRAGMA foreign_key_check"), "(no row)") << "a row pointing at a missing row";
    sqlite3_close(db);
  }

  ScratchDb db_;
  std::size_t steps_ = 0;
  std::set<ns::Id> seen_sessions_;
};

TEST_P(CrashTest, SigkillAtRandomPointsLosesNoAcknowledgedWrite) {
  const int runs = GetParam() == Backend::sqlite ? 30 : 15;
  std::uint64_t seed = std::random_device{}();
  if (const char* s = std::getenv("NEEDLEWORK_CRASH_SEED")) seed = std::strtoull(s, nullptr, 10);
  std::cout << "crash test seed " << seed << " (replay with NEEDLEWORK_CRASH_SEED=" << seed << ")\n";
  RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> kill_point(0, most_acks_before_kill);

  std::vector<Ack> all;
  int killed = 0, acks_after_kill = 0;
  for (int run = 1; run <= runs; ++run) {
    const int k = kill_point(rng);
    SCOPED_TRACE(testing::Message() << "run " << run << ", kill after " << k << " acknowledgements, seed "
                                    << seed);
    const RunOutcome out = run_writer(db_.where(), run, k);
    EXPECT_TRUE(out.bad_lines.empty()) << out.bad_lines.front();
    if (out.killed) {
      ++killed;
      ASSERT_TRUE(WIFSIGNALED(out.status) || (WIFEXITED(out.status) && WEXITSTATUS(out.status) == 0))
          << "status " << out.status;
      acks_after_kill += static_cast<int>(out.acks.size()) - k;
    } else {
      // It finished before the k-th acknowledgement.
      ASSERT_TRUE(WIFEXITED(out.status) && WEXITSTATUS(out.status) == 0) << "status " << out.status;
      EXPECT_TRUE(out.done);
    }
    for (const auto& a : out.acks) EXPECT_EQ(a.key.run, run);
    all.insert(all.end(), out.acks.begin(), out.acks.end());
    check_database(all);
    if (HasFatalFailure()) return;
  }
  // The last run is not killed: the same database carries on to the end.
  const RunOutcome last = run_writer(db_.where(), runs + 1, -1);
  ASSERT_TRUE(WIFEXITED(last.status) && WEXITSTATUS(last.status) == 0) << "status " << last.status;
  EXPECT_TRUE(last.done);
  EXPECT_EQ(last.acks.size(), std::size_t{writer_threads * writes_per_thread});
  all.insert(all.end(), last.acks.begin(), last.acks.end());
  check_database(all);
  std::cout << runs << " runs, " << killed << " killed, " << all.size() << " acknowledged sessions checked, "
            << acks_after_kill << " acknowledgements read after a kill signal\n";
}

INSTANTIATE_TEST_SUITE_P(, CrashTest, ::testing::Values(Backend::sqlite, Backend::postgres), backend_name);

}  // namespace
