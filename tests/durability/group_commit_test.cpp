// GroupCommitter on a fresh database per test, on SQLite and PostgreSQL: many threads' writes all
// acknowledged and all there, batches formed (one transaction for many writes), a refused or throwing write
// undone alone, a failed commit failing its whole batch, acknowledgements in submission order, the audit
// chain whole, and a shutdown that writes everything queued first.
//
// Batches are made deterministic with a gate: a first write that blocks the writer thread until every other
// write is queued, so the next batch is exactly those writes.

#include "needlework/store/group_commit.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <barrier>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "scratch_db.hpp"

namespace {

using namespace durability;
using needlework::ErrorCode;
using needlework::Result;

ns::Actor by(const char* when = "2027-01-01T09:00:00Z") { return {"gc-test", *nu::parse_date_time(when)}; }

ns::ClientRecord client(const std::string& id) {
  ns::ClientRecord c;
  c.id = id;
  c.name = "Client " + id;
  c.created_at = *nu::parse_date_time("2027-01-01T09:00:00Z");
  return c;
}

/// A write that registers a client.
auto insert_client(std::string id) {
  return [id = std::move(id)](ns::Store& s) -> Result<std::string> {
    if (auto r = s.insert_client(by(), client(id)); !r) return std::unexpected(r.error());
    return id;
  };
}

/// Holds the writer thread inside a first write until `open()`, so everything submitted meanwhile forms the
/// next batch.
class Gate {
 public:
  explicit Gate(ns::GroupCommitter& c) {
    done_ = c.submit([this](ns::Store&) -> Result<void> {
      entered_.set_value();
      opened_.get_future().wait();
      return {};
    });
    entered_.get_future().wait();  // the writer is inside the gate's batch now
  }
  void open() {
    opened_.set_value();
    ASSERT_TRUE(done_.get());
  }

 private:
  std::promise<void> entered_, opened_;
  std::future<Result<void>> done_;
};

/// A store that forwards everything to another but reports its outermost transaction as failed after the
/// body ran (the real transaction rolled back): a commit that fails.
class CommitFails final : public ns::Store {
 public:
  explicit CommitFails(ns::Store& s) : s_(s) {}
  bool fail_commits = false;

  Result<void> transaction(const std::function<Result<void>()>& body) override {
    if (depth_ > 0 || !fail_commits) {
      ++depth_;
      auto r = s_.transaction(body);
      --depth_;
      return r;
    }
    ++depth_;
    auto r = s_.transaction([&]() -> Result<void> {
      if (auto b = body(); !b) return b;
      return needlework::fail(ErrorCode::io_error, "disk I/O error (simulated) at COMMIT");
    });
    --depth_;
    return r;
  }

#define FORWARD(ret, name, params, args) \
  ret name params override { return s_.name args; }
  Result<void> read_snapshot(const std::function<Result<void>()>& body) override {
    return s_.read_snapshot(body);
  }
  FORWARD(Result<ns::SchemaInfo>, schema, (), ())
  FORWARD(Result<ns::UserRecord>, insert_user, (const ns::Actor& b, const ns::UserRecord& u), (b, u))
  FORWARD(Result<std::vector<ns::UserRecord>>, users, (), ())
  FORWARD(Result<void>, insert_client, (const ns::Actor& b, const ns::ClientRecord& c), (b, c))
  FORWARD(Result<std::optional<ns::ClientRecord>>, find_client, (std::string_view id), (id))
  FORWARD(Result<void>, update_client, (const ns::Actor& b, const ns::ClientRecord& c), (b, c))
  FORWARD(Result<std::vector<ns::ClientRecord>>, search_clients, (std::string_view t), (t))
  FORWARD(Result<ns::IntakeRecord>, insert_intake, (const ns::Actor& b, const ns::IntakeRecord& r), (b, r))
  FORWARD(Result<std::vector<ns::IntakeRecord>>, intakes_of, (std::string_view c), (c))
  FORWARD(Result<ns::ConsentRecord>, insert_consent, (const ns::Actor& b, const ns::ConsentRecord& r), (b, r))
  FORWARD(Result<std::optional<ns::ConsentRecord>>, find_consent, (ns::Id id), (id))
  FORWARD(Result<void>, update_consent, (const ns::Actor& b, const ns::ConsentRecord& r), (b, r))
  FORWARD(Result<std::vector<ns::ConsentRecord>>, consents_of, (std::string_view c), (c))
  FORWARD(Result<ns::CourseRecord>, insert_course, (const ns::Actor& b, const ns::CourseRecord& r), (b, r))
  FORWARD(Result<std::vector<ns::CourseRecord>>, courses_of, (std::string_view c), (c))
  FORWARD(Result<ns::AppointmentRecord>, insert_appointment,
          (const ns::Actor& b, const ns::AppointmentRecord& r), (b, r))
  FORWARD(Result<std::optional<ns::AppointmentRecord>>, find_appointment, (ns::Id id), (id))
  FORWARD(Result<void>, update_appointment, (const ns::Actor& b, const ns::AppointmentRecord& r), (b, r))
  FORWARD(Result<std::vector<ns::AppointmentRecord>>, appointments_of, (std::string_view c), (c))
  FORWARD(Result<std::vector<ns::AppointmentRecord>>, appointments_between, (ns::DateTime f, ns::DateTime t),
          (f, t))
  FORWARD(Result<ns::RollerRecord>, insert_roller, (const ns::Actor& b, const ns::RollerRecord& r), (b, r))
  FORWARD(Result<std::optional<ns::RollerRecord>>, find_roller, (ns::Id id), (id))
  FORWARD(Result<void>, update_roller, (const ns::Actor& b, const ns::RollerRecord& r), (b, r))
  FORWARD(Result<std::vector<ns::RollerRecord>>, rollers_in_lot, (std::string_view l), (l))
  FORWARD(Result<std::vector<ns::RollerRecord>>, rollers, (), ())
  FORWARD(Result<ns::LotRecallRecord>, insert_lot_recall, (const ns::Actor& b, const ns::LotRecallRecord& r),
          (b, r))
  FORWARD(Result<std::optional<ns::LotRecallRecord>>, find_lot_recall, (std::string_view l), (l))
  FORWARD(Result<std::vector<ns::LotRecallRecord>>, lot_recalls, (), ())
  FORWARD(Result<ns::MessageConsentRecord>, insert_message_consent,
          (const ns::Actor& b, const ns::MessageConsentRecord& c), (b, c))
  FORWARD(Result<std::vector<ns::MessageConsentRecord>>, message_consents_of, (std::string_view c), (c))
  FORWARD(Result<std::optional<std::string>>, unsubscribe_token, (std::string_view c), (c))
  FORWARD(Result<std::string>, keep_unsubscribe_token,
          (std::string_view c, std::string_view t, ns::DateTime a), (c, t, a))
  FORWARD(Result<std::optional<std::string>>, client_of_unsubscribe_token, (std::string_view t), (t))
  FORWARD(Result<ns::HomeRollerRecord>, insert_home_roller,
          (const ns::Actor& b, const ns::HomeRollerRecord& r), (b, r))
  FORWARD(Result<std::optional<ns::HomeRollerRecord>>, find_home_roller, (ns::Id id), (id))
  FORWARD(Result<void>, update_home_roller, (const ns::Actor& b, const ns::HomeRollerRecord& r), (b, r))
  FORWARD(Result<std::vector<ns::HomeRollerRecord>>, home_rollers_of, (std::string_view c), (c))
  FORWARD(Result<ns::HomeSessionRecord>, insert_home_session,
          (const ns::Actor& b, const ns::HomeSessionRecord& r), (b, r))
  FORWARD(Result<std::vector<ns::HomeSessionRecord>>, home_sessions_of, (std::string_view c), (c))
  using ns::Store::insert_session;
  FORWARD(Result<ns::SessionRecord>, insert_session,
          (const ns::Actor& b, const ns::SessionRecord& r, const ns::CanonicalText& t), (b, r, t))
  FORWARD(Result<std::optional<ns::SessionRecord>>, find_session, (ns::Id id), (id))
  FORWARD(Result<void>, update_session, (const ns::Actor& b, const ns::SessionRecord& r), (b, r))
  FORWARD(Result<std::vector<ns::SessionRecord>>, sessions_of, (std::string_view c), (c))
  FORWARD(Result<std::vector<ns::SessionRecord>>, sessions_with_roller, (ns::Id id), (id))
  FORWARD(Result<std::vector<ns::SessionRecord>>, finished_sessions_without_followup,
          (std::chrono::seconds w), (w))
  FORWARD(Result<ns::StepRecord>, insert_step, (const ns::Actor& b, const ns::StepRecord& r), (b, r))
  FORWARD(Result<std::vector<ns::StepRecord>>, steps_of, (ns::Id id), (id))
  FORWARD(Result<ns::SessionZoneRecord>, insert_session_zone,
          (const ns::Actor& b, const ns::SessionZoneRecord& z), (b, z))
  FORWARD(Result<void>, update_session_zone, (const ns::Actor& b, const ns::SessionZoneRecord& z), (b, z))
  FORWARD(Result<std::vector<ns::SessionZoneRecord>>, zones_of, (ns::Id id), (id))
  FORWARD(Result<std::vector<ns::SessionZoneRecord>>, session_zones, (), ())
  FORWARD(Result<ns::FollowupRecord>, insert_followup, (const ns::Actor& b, const ns::FollowupRecord& r),
          (b, r))
  FORWARD(Result<std::vector<ns::FollowupRecord>>, followups_of, (ns::Id id), (id))
  FORWARD(Result<std::vector<ns::FollowupRecord>>, followups_of_client, (std::string_view c), (c))
  FORWARD(Result<ns::EscalationRecord>, insert_escalation,
          (const ns::Actor& b, const ns::EscalationRecord& r), (b, r))
  FORWARD(Result<std::optional<ns::EscalationRecord>>, find_escalation, (ns::Id id), (id))
  FORWARD(Result<void>, update_escalation, (const ns::Actor& b, const ns::EscalationRecord& r), (b, r))
  FORWARD(Result<std::vector<ns::EscalationRecord>>, open_escalations, (), ())
  FORWARD(Result<std::vector<ns::EscalationRecord>>, escalations, (), ())
  FORWARD(Result<std::vector<ns::EscalationRecord>>, escalations_of, (std::string_view c), (c))
  FORWARD(Result<ns::OutboxMessage>, insert_message, (const ns::Actor& b, const ns::OutboxMessage& m), (b, m))
  FORWARD(Result<std::optional<ns::OutboxMessage>>, find_message, (ns::Id id), (id))
  FORWARD(Result<void>, update_message, (const ns::Actor& b, const ns::OutboxMessage& m), (b, m))
  FORWARD(Result<std::vector<ns::OutboxMessage>>, messages, (bool all), (all))
  FORWARD(Result<ns::MessageQueued>, insert_message_once, (const ns::Actor& b, const ns::OutboxMessage& m),
          (b, m))
  FORWARD(Result<std::vector<ns::OutboxMessage>>, messages_in, (ns::MessageState s), (s))
  FORWARD(Result<std::vector<ns::OutboxMessage>>, due_messages, (ns::DateTime now, std::int64_t limit),
          (now, limit))
  FORWARD(Result<ns::PhotoRecord>, insert_photo, (const ns::Actor& b, const ns::PhotoRecord& p), (b, p))
  FORWARD(Result<std::vector<ns::PhotoRecord>>, photos_of, (std::string_view c), (c))
  FORWARD(Result<std::vector<ns::AuditEntry>>, audit_log, (), ())
  using ns::Store::audit_entries;
  FORWARD(Result<std::vector<ns::AuditEntry>>, audit_entries,
          (std::int64_t after, std::int64_t limit, const ns::AuditFilter& f), (after, limit, f))
  FORWARD(Result<ns::AuditCheck>, verify_audit, (), ())
  FORWARD(Result<std::optional<ns::UserRecord>>, find_user, (ns::Id id), (id))
  FORWARD(Result<std::optional<ns::UserRecord>>, find_user_by_name, (std::string_view n), (n))
  FORWARD(Result<void>, update_user, (const ns::Actor& b, const ns::UserRecord& u), (b, u))
  FORWARD(Result<void>, put_credential, (const ns::Actor& b, const ns::Credential& c), (b, c))
  FORWARD(Result<std::optional<ns::Credential>>, find_credential, (ns::Id id), (id))
  FORWARD(Result<void>, insert_auth_session, (const ns::AuthSession& a), (a))
  FORWARD(Result<std::optional<ns::AuthSession>>, find_auth_session, (std::string_view h), (h))
  FORWARD(Result<void>, touch_auth_session, (std::string_view h, ns::DateTime at), (h, at))
  FORWARD(Result<void>, end_auth_session, (std::string_view h, ns::DateTime at), (h, at))
  FORWARD(Result<std::int64_t>, end_auth_sessions_of, (ns::Id id, ns::DateTime at, std::string_view keep),
          (id, at, keep))
  FORWARD(Result<ns::ApiKey>, insert_api_key, (const ns::Actor& b, const ns::ApiKey& k), (b, k))
  FORWARD(Result<std::optional<ns::ApiKey>>, find_api_key, (std::string_view h), (h))
  FORWARD(Result<std::vector<ns::ApiKey>>, api_keys, (), ())
  FORWARD(Result<ns::ApiKey>, revoke_api_key, (const ns::Actor& b, ns::Id id), (b, id))
  FORWARD(Result<ns::LoginThrottle>, count_login_failure,
          (std::string_view k, ns::DateTime at, std::chrono::seconds w), (k, at, w))
  FORWARD(Result<std::optional<ns::LoginThrottle>>, find_login_throttle, (std::string_view k), (k))
  FORWARD(Result<void>, clear_login_throttle, (std::string_view k), (k))
  FORWARD(Result<void>, insert_portal_link, (const ns::Actor& by, const ns::PortalLink& l), (by, l))
  FORWARD(Result<std::optional<ns::PortalLink>>, use_portal_link, (const ns::Actor& by, std::string_view h),
          (by, h))
  FORWARD(Result<std::optional<ns::PortalLink>>, find_portal_link, (std::string_view h), (h))
  FORWARD(Result<std::vector<ns::ClientRecord>>, clients_with_email, (std::string_view e), (e))
  FORWARD(Result<void>, insert_client_session, (const ns::ClientSession& c), (c))
  FORWARD(Result<std::optional<ns::ClientSession>>, find_client_session, (std::string_view h), (h))
  FORWARD(Result<void>, touch_client_session, (std::string_view h, ns::DateTime at), (h, at))
  FORWARD(Result<void>, end_client_session, (std::string_view h, ns::DateTime at), (h, at))
  FORWARD(Result<ns::PortalAccessEnded>, end_portal_access, (const ns::Actor& by, std::string_view c),
          (by, c))
  FORWARD(Result<void>, insert_calendar_feed, (const ns::CalendarFeed& f), (f))
  FORWARD(Result<std::optional<ns::CalendarFeed>>, find_calendar_feed, (std::string_view h), (h))
  FORWARD(Result<void>, backup_to, (const std::filesystem::path& t, const std::function<void(double)>& s),
          (t, s))
#undef FORWARD

 private:
  ns::Store& s_;
  int depth_ = 0;
};

class GroupCommitTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_.create(GetParam());
    if (IsSkipped() || HasFatalFailure()) return;
    store_ = open();
  }

  std::unique_ptr<ns::Store> open() {
    auto s = db_.open();
    EXPECT_TRUE(s) << s.error().describe();
    return s ? std::move(*s) : nullptr;
  }

  /// What another connection sees: the writes are committed, not merely visible to the writer.
  std::set<std::string> committed_clients(const std::vector<std::string>& ids) {
    auto other = open();
    std::set<std::string> found;
    for (const auto& id : ids) {
      auto c = other->find_client(id);
      EXPECT_TRUE(c) << c.error().describe();
      if (c && *c) found.insert(id);
    }
    return found;
  }

  void expect_chain(std::int64_t entries) {
    auto other = open();
    auto check = other->verify_audit();
    ASSERT_TRUE(check) << check.error().describe();
    EXPECT_TRUE(check->ok) << check->problem << " at seq " << check->first_bad_seq;
    EXPECT_EQ(check->entries, entries);
  }

  ScratchDb db_;
  std::unique_ptr<ns::Store> store_;
};

TEST_P(GroupCommitTest, EveryAcknowledgedWriteOfManyThreadsIsCommitted) {
  constexpr int threads = 8, per_thread = 40;
  std::vector<std::string> ids;
  {
    ns::GroupCommitter committer(*store_);
    std::vector<std::thread> pool;
    std::mutex m;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        for (int n = 0; n < per_thread; ++n) {
          auto r = committer.submit(insert_client(fmt::format("T{}-{}", t, n))).get();
          ASSERT_TRUE(r) << r.error().describe();
          std::lock_guard lock(m);
          ids.push_back(*r);
        }
      });
    }
    for (auto& th : pool) th.join();
    const auto stats = committer.stats();
    EXPECT_EQ(stats.writes, threads * per_thread);
    EXPECT_EQ(stats.failed_commits, 0);
    EXPECT_LE(stats.batches, stats.writes);  // how many batches depends on timing; see the next test
  }
  ASSERT_EQ(ids.size(), std::size_t{threads * per_thread});
  EXPECT_EQ(committed_clients(ids).size(), ids.size());
  expect_chain(threads * per_thread);
}

TEST_P(GroupCommitTest, WritesQueuedTogetherCommitAsOneBatch) {
  ns::GroupCommitter committer(*store_);
  Gate gate(committer);
  std::vector<std::future<Result<std::string>>> acks;
  std::vector<std::string> ids;
  for (int n = 0; n < 100; ++n) {
    ids.push_back(fmt::format("B-{}", n));
    acks.push_back(committer.submit(insert_client(ids.back())));
  }
  gate.open();
  for (auto& a : acks) EXPECT_TRUE(a.get());
  const auto stats = committer.stats();
  EXPECT_EQ(stats.batches, 2) << "the gate's batch, then one batch with all 100 writes";
  EXPECT_EQ(stats.largest_batch, 100);
  committer.close();
  EXPECT_EQ(committed_clients(ids).size(), ids.size());
  expect_chain(100);
}

TEST_P(GroupCommitTest, MaxBatchSplitsALongQueue) {
  ns::GroupCommitter committer(*store_, ns::GroupCommitOptions{.max_batch = 16});
  Gate gate(committer);
  std::vector<std::future<Result<std::string>>> acks;
  for (int n = 0; n < 100; ++n) acks.push_back(committer.submit(insert_client(fmt::format("M-{}", n))));
  gate.open();
  for (auto& a : acks) EXPECT_TRUE(a.get());
  const auto stats = committer.stats();
  EXPECT_EQ(stats.largest_batch, 16);
  EXPECT_EQ(stats.batches, 1 + 7) << "100 writes in batches of at most 16";
}

TEST_P(GroupCommitTest, ARefusedWriteIsUndoneAloneAndTheRestOfItsBatchCommits) {
  ns::GroupCommitter committer(*store_);
  Gate gate(committer);
  std::vector<std::future<Result<std::string>>> acks;
  std::vector<std::string> ids;
  for (int n = 0; n < 10; ++n) {
    ids.push_back(fmt::format("R-{}", n));
    if (n == 3) {
      // Writes a client, then refuses: the client must be undone with it.
      acks.push_back(committer.submit([](ns::Store& s) -> Result<std::string> {
        if (auto r = s.insert_client(by(), client("R-3")); !r) return std::unexpected(r.error());
        return needlework::fail(ErrorCode::refused, "refused by a rule after writing");
      }));
    } else if (n == 6) {
      // The database refuses it: a client id already in use.
      acks.push_back(committer.submit(insert_client("R-0")));
    } else if (n == 8) {
      acks.push_back(committer.submit([](ns::Store& s) -> Result<std::string> {
        if (auto r = s.insert_client(by(), client("R-8")); !r) return std::unexpected(r.error());
        throw std::runtime_error("a bug in the write");
      }));
    } else {
      acks.push_back(committer.submit(insert_client(ids.back())));
    }
  }
  gate.open();
  std::vector<std::string> kept;
  for (int n = 0; n < 10; ++n) {
    auto r = acks[n].get();
    if (n == 3) {
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error().code, ErrorCode::refused);
    } else if (n == 6) {
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error().code, ErrorCode::invalid_value) << r.error().describe();
    } else if (n == 8) {
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error().code, ErrorCode::io_error);
      EXPECT_NE(r.error().message.find("a bug in the write"), std::string::npos);
    } else {
      ASSERT_TRUE(r) << r.error().describe();
      kept.push_back(ids[n]);
    }
  }
  EXPECT_EQ(committer.stats().batches, 2) << "all ten were one batch";
  committer.close();
  const auto found = committed_clients(ids);
  EXPECT_EQ(found, std::set<std::string>(kept.begin(), kept.end()));
  expect_chain(static_cast<std::int64_t>(kept.size()));
}

TEST_P(GroupCommitTest, WhenTheCommitFailsEveryWriteOfTheBatchGetsTheError) {
  CommitFails failing(*store_);
  {
    ns::GroupCommitter committer(failing);
    ASSERT_TRUE(committer.submit(insert_client("before")).get());
    Gate gate(committer);
    failing.fail_commits = true;  // the writer is inside the gate's batch: the next batch will fail
    std::vector<std::future<Result<std::string>>> acks;
    for (int n = 0; n < 20; ++n) acks.push_back(committer.submit(insert_client(fmt::format("F-{}", n))));
    auto refused = committer.submit(
        [](ns::Store&) -> Result<int> { return needlework::fail(ErrorCode::refused, "refused on its own"); });
    gate.open();  // the gate's own batch commits (the flag is read when a batch begins)
    for (auto& a : acks) {
      auto r = a.get();
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error().code, ErrorCode::io_error);
      EXPECT_NE(r.error().message.find("simulated"), std::string::npos);
    }
    auto own = refused.get();
    ASSERT_FALSE(own);
    EXPECT_EQ(own.error().code, ErrorCode::refused) << "a write that failed on its own keeps its own error";
    EXPECT_EQ(committer.stats().failed_commits, 1);

    failing.fail_commits = false;  // the writer is idle: the next batch commits again
    EXPECT_TRUE(committer.submit(insert_client("after")).get());
  }
  std::vector<std::string> ids{"before", "after"};
  for (int n = 0; n < 20; ++n) ids.push_back(fmt::format("F-{}", n));
  EXPECT_EQ(committed_clients(ids), (std::set<std::string>{"after", "before"}));
  expect_chain(2);
}

TEST_P(GroupCommitTest, WritesRunAndAreAcknowledgedInSubmissionOrder) {
  constexpr int writes = 300;
  std::vector<ns::Id> user_ids;  // in acknowledgement order
  std::vector<int> acked;
  {
    ns::GroupCommitter committer(*store_, ns::GroupCommitOptions{.max_batch = 32});
    for (int n = 0; n < writes; ++n) {
      committer.submit(
          [n](ns::Store& s) -> Result<ns::Id> {
            auto u = s.insert_user(by(), ns::UserRecord{0, fmt::format("user-{:03}", n), "practitioner", {}});
            if (!u) return std::unexpected(u.error());
            return u->id;
          },
          // On the writer thread, once the batch committed.
          [&, n](Result<ns::Id> r) {
            ASSERT_TRUE(r);
            acked.push_back(n);
            user_ids.push_back(*r);
          });
    }
  }  // close(): every queued write done
  ASSERT_EQ(acked.size(), std::size_t{writes});
  EXPECT_TRUE(std::is_sorted(acked.begin(), acked.end()));
  EXPECT_TRUE(std::is_sorted(user_ids.begin(), user_ids.end())) << "run in submission order";
  EXPECT_EQ(std::set<ns::Id>(user_ids.begin(), user_ids.end()).size(), user_ids.size());
}

TEST_P(GroupCommitTest, TheNextBatchIsWrittenWhileTheLastIsBeingAcknowledged) {
  // The first write's acknowledgement waits until a second write, submitted only once the first has
  // committed, has run: possible only because acknowledgements are delivered off the writer thread (on it,
  // this would wait forever; the bounded wait turns that into a failure instead of a hang).
  ns::GroupCommitter committer(*store_);
  std::promise<void> second_ran;
  auto second_seen = second_ran.get_future().share();
  std::promise<bool> first_saw_second;
  auto first_result = first_saw_second.get_future();
  committer.submit(insert_client("ack-1"), [&, second_seen](Result<std::string> r) {
    EXPECT_TRUE(r);
    committer.submit(
        [&](ns::Store& s) -> Result<void> {
          second_ran.set_value();
          if (auto c = s.insert_client(by(), client("ack-2")); !c) return std::unexpected(c.error());
          return {};
        },
        [](Result<void> r2) { EXPECT_TRUE(r2); });
    first_saw_second.set_value(second_seen.wait_for(std::chrono::seconds(60)) == std::future_status::ready);
  });
  EXPECT_TRUE(first_result.get()) << "the writer did not run the next write while an acknowledgement waited";
  committer.close();
  EXPECT_EQ(committed_clients({"ack-1", "ack-2"}).size(), 2U);
}

TEST_P(GroupCommitTest, EachThreadsWritesAreAcknowledgedInItsOrder) {
  constexpr int threads = 6, per_thread = 30;
  std::mutex m;
  std::map<int, std::vector<int>> acked;  // thread → n, in acknowledgement order
  {
    ns::GroupCommitter committer(*store_);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        // Everything submitted without waiting: the writes of one thread share batches.
        for (int n = 0; n < per_thread; ++n) {
          committer.submit(insert_client(fmt::format("O{}-{}", t, n)), [&, t, n](Result<std::string> r) {
            EXPECT_TRUE(r);
            std::lock_guard lock(m);
            acked[t].push_back(n);
          });
        }
      });
    }
    for (auto& th : pool) th.join();
  }
  for (int t = 0; t < threads; ++t) {
    ASSERT_EQ(acked[t].size(), std::size_t{per_thread});
    EXPECT_TRUE(std::is_sorted(acked[t].begin(), acked[t].end())) << "thread " << t;
  }
  expect_chain(threads * per_thread);
}

TEST_P(GroupCommitTest, CloseWritesEverythingQueuedThenRefusesNewWrites) {
  ns::GroupCommitter committer(*store_);
  std::vector<std::future<Result<std::string>>> acks;
  std::vector<std::string> ids;
  {
    Gate gate(committer);
    for (int n = 0; n < 50; ++n) {
      ids.push_back(fmt::format("D-{}", n));
      acks.push_back(committer.submit(insert_client(ids.back())));
    }
    // close() from another thread while the 50 wait behind the gate; it returns only once they are written.
    std::thread closer([&] { committer.close(); });
    gate.open();
    closer.join();
  }
  for (auto& a : acks) {
    ASSERT_EQ(a.wait_for(std::chrono::seconds(0)), std::future_status::ready)
        << "resolved before close returned";
    EXPECT_TRUE(a.get());
  }
  auto late = committer.submit(insert_client("late"));
  ASSERT_EQ(late.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  auto r = late.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::io_error);
  committer.close();  // idempotent
  EXPECT_EQ(committed_clients(ids).size(), ids.size());
  EXPECT_TRUE(committed_clients({"late"}).empty());
}

TEST_P(GroupCommitTest, TheDestructorDrainsTheQueue) {
  std::vector<std::future<Result<std::string>>> acks;
  std::vector<std::string> ids;
  {
    ns::GroupCommitter committer(*store_);
    for (int n = 0; n < 64; ++n) {
      ids.push_back(fmt::format("X-{}", n));
      acks.push_back(committer.submit(insert_client(ids.back())));
    }
  }
  for (auto& a : acks) EXPECT_TRUE(a.get());
  EXPECT_EQ(committed_clients(ids).size(), ids.size());
}

TEST_P(GroupCommitTest, ClinicSessionsFromManyThreadsAreWholeAndFollowTheRules) {
  ns::ClinicStore clinic(*store_, seed_pack(), {.regions = &skin_regions()});
  constexpr int threads = 4, per_thread = 3;
  for (int t = 0; t < threads; ++t) {
    for (int j = 0; j < clients_per_thread; ++j) ASSERT_TRUE(ensure_client(*store_, clinic, client_id(t, j)));
  }
  std::vector<Ack> acks;
  std::mutex m;
  {
    ns::GroupCommitter committer(*store_, clinic);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        for (int n = 0; n < per_thread; ++n) {
          CrashKey k{0, t, n, client_id(t, n % clients_per_thread),
                     first_session_at() + session_spacing * (n / clients_per_thread)};
          auto r = committer.submit([k](ns::ClinicStore& c) { return write_session(c, k); }).get();
          ASSERT_TRUE(r) << r.error().describe();
          std::lock_guard lock(m);
          acks.push_back({k, *r});
        }
      });
    }
    for (auto& th : pool) th.join();
    // In one batch: a session the rules refuse (a day after the same client's latest session — too soon,
    // COURSE.default) between two allowed ones. Its roller, registered and assigned before the refusal, is
    // undone with it.
    Gate gate(committer);
    CrashKey before{0, 1, per_thread, client_id(1, 1), first_session_at() + session_spacing * 5};
    CrashKey too_soon{0, 0, 99, client_id(0, 0), first_session_at() + session_spacing + std::chrono::days(1)};
    CrashKey after{0, 2, per_thread, client_id(2, 1), first_session_at() + session_spacing * 5};
    auto a1 = committer.submit([before](ns::ClinicStore& c) { return write_session(c, before); });
    auto bad = committer.submit([too_soon](ns::ClinicStore& c) { return write_session(c, too_soon); });
    auto a2 = committer.submit([after](ns::ClinicStore& c) { return write_session(c, after); });
    gate.open();
    auto r1 = a1.get(), r2 = a2.get(), rb = bad.get();
    ASSERT_TRUE(r1) << r1.error().describe();
    ASSERT_TRUE(r2) << r2.error().describe();
    ASSERT_FALSE(rb);
    EXPECT_EQ(rb.error().code, ErrorCode::refused) << rb.error().describe();
    acks.push_back({before, *r1});
    acks.push_back({after, *r2});
  }
  auto other = open();
  for (const auto& a : acks) {
    auto s = other->find_session(a.ids.session);
    ASSERT_TRUE(s && *s);
    EXPECT_EQ((*s)->client_id, a.key.client);
    EXPECT_EQ((*s)->started_at, a.key.at);
    ASSERT_TRUE((*s)->finished_at.has_value());
    EXPECT_NE((*s)->notes.find(expected_chart(a.key).notes), std::string::npos);
    auto roller = other->find_roller(a.ids.roller);
    ASSERT_TRUE(roller && *roller);
    EXPECT_EQ((*roller)->state, ns::RollerState::used);
    auto steps = other->steps_of(a.ids.session);
    ASSERT_TRUE(steps);
    EXPECT_EQ(steps->size(), seed_pack().steps.size());
  }
  auto rollers = other->rollers_in_lot(roller_lot(CrashKey{}));
  ASSERT_TRUE(rollers);
  EXPECT_EQ(rollers->size(), acks.size()) << "the refused session's roller is undone with it";
  expect_chain(audit_entries_per_client * threads * clients_per_thread +
               audit_entries_per_session(seed_pack().steps.size()) * static_cast<std::int64_t>(acks.size()));
}

INSTANTIATE_TEST_SUITE_P(, GroupCommitTest, ::testing::Values(Backend::sqlite, Backend::postgres),
                         backend_name);

}  // namespace
