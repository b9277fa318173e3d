// The outbox delivered to a real SMTP server (issue #14): tests/mail/smtp_sink.py, Debian's python3-aiosmtpd
// on loopback, writes each message it accepts to a folder with what Python's `email` package parses out of
// it. The delivery worker runs in this process (on SQLite and PostgreSQL, store_fixture.hpp), and `needlework
// outbox send` as a child process for the crash test. Every wait is on a file or a condition, bounded.

#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <fstream>
#include <regex>
#include <set>

#include "child.hpp"
#include "needlework/mail/mailer.hpp"
#include "needlework/mail/worker.hpp"
#include "needlework/store/delivery.hpp"
#include "store/store_fixture.hpp"
#include "support/run.hpp"

using needlework::mail::DeliveryWorker;
using needlework::mail::MailConfig;
using needlework::mail::Mailer;
using needlework::test::Child;
using needlework::test::wait_for;
using nlohmann::json;

namespace {

const fs::path sink_script = fs::path(NEEDLEWORK_SOURCE_DIR) / "tests" / "mail" / "smtp_sink.py";

/// A loopback port nothing listens on (bound, then released): the relay "down".
int free_port() {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}

/// The SMTP sink, running while the object lives.
class Sink {
 public:
  Sink(const fs::path& dir, std::vector<std::string> flags, int port = 0) : dir_(dir / "received") {
    const fs::path port_file = dir / fmt::format("sink-port-{}", ++starts_);
    std::vector<std::string> args{sink_script.string(), "--dir",  dir_.string(),       "--port-file",
                                  port_file.string(),   "--port", std::to_string(port)};
    args.insert(args.end(), flags.begin(), flags.end());
    child_ = std::make_unique<Child>("/usr/bin/python3", args, dir / "sink.log");
    EXPECT_TRUE(wait_for([&] { return fs::exists(port_file); })) << "the SMTP sink did not start (sink.log)";
    std::ifstream in(port_file);
    in >> port_;
  }
  [[nodiscard]] int port() const { return port_; }
  /// The messages received, in order, as the sink parsed them.
  [[nodiscard]] std::vector<json> messages() const {
    std::vector<std::pair<int, json>> found;
    if (!fs::exists(dir_)) return {};
    for (const auto& e : fs::directory_iterator(dir_)) {
      const auto name = e.path().filename().string();
      if (!name.starts_with("msg-") || e.path().extension() != ".json") continue;
      std::ifstream in(e.path());
      found.emplace_back(std::stoi(name.substr(4)), json::parse(in));
    }
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<json> out;
    for (auto& [n, j] : found) out.push_back(std::move(j));
    return out;
  }
  [[nodiscard]] std::size_t count() const { return messages().size(); }

 private:
  static inline int starts_ = 0;
  fs::path dir_;
  int port_ = 0;
  std::unique_ptr<Child> child_;
};

class Mail : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(fs::exists("/usr/bin/python3"));
    ns::ClientRecord c;
    c.id = "C-1";
    c.name = "Ana Ñúñez";
    c.email = "ana@example.org";
    ASSERT_TRUE(clinic_->add_client(by("2026-11-20T09:00:00Z"), c));
    // No consent, no message: Ana agreed (ConsentIsCheckedAgainAsAMessageLeaves tests the other way).
    ASSERT_TRUE(
        clinic_->record_message_consent(by("2026-11-20T09:00:00Z"), "C-1", true, ns::ConsentVia::clinic));
  }

  MailConfig config(int port) const {
    MailConfig c;
    c.smtp_host = "127.0.0.1";
    c.smtp_port = port;
    c.smtp_tls = needlework::mail::TlsMode::none;
    c.mail_from = "Needlework Clinic <front@clinic.example>";
    c.timeout = std::chrono::seconds{20};
    return c;
  }

  ns::OutboxMessage queue(const std::string& subject, const char* when = "2026-11-24T10:00:00Z") {
    ns::OutboxMessage m;
    m.client_id = "C-1";
    m.kind = "aftercare";
    m.subject = subject;
    m.body = "Keep the area clean.\nNo make-up for 24 hours.\n";
    auto r = clinic_->queue_message(by(when), m);
    EXPECT_TRUE(r) << r.error().describe();
    return r ? r->message : ns::OutboxMessage{};
  }

  /// One round of the worker with the clock at `now`.
  needlework::mail::RoundReport round(const MailConfig& c, const char* now) {
    auto mailer = Mailer::make(c);
    EXPECT_TRUE(mailer) << mailer.error().describe();
    if (!mailer) return {};
    const auto t = at(now);
    DeliveryWorker worker(*clinic_, *mailer, [t] { return t; });
    auto r = worker.run_round(100);
    EXPECT_TRUE(r) << r.error().describe();
    return r ? *r : needlework::mail::RoundReport{};
  }

  ns::OutboxMessage reread(ns::Id id) {
    auto m = store_->find_message(id);
    EXPECT_TRUE(m && *m);
    return m && *m ? **m : ns::OutboxMessage{};
  }

  void expect_audit_ok() {
    auto check = store_->verify_audit();
    ASSERT_TRUE(check) << check.error().describe();
    EXPECT_TRUE(check->ok) << check->problem;
  }
};
NEEDLEWORK_INSTANTIATE_STORE_TESTS(Mail);

TEST_P(Mail, AMessageIsDeliveredWithItsPartsAttachmentUtf8SubjectAndMessageId) {
  ns::OutboxMessage m;
  m.client_id = "C-1";
  m.kind = "aftercare";
  m.subject = "Nachsorge – Ihre Sitzung am 24.11. ✓";
  m.body = "Keep the area clean. Café, naïve: UTF-8 in the text.\n";
  m.body_html = "<p>Keep the area <b>clean</b>.</p>";
  m.attachment_name = "next-visit.ics";
  m.attachment_type = "text/calendar";
  m.attachment =
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Next "
      "visit\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
  auto q = clinic_->queue_message(by("2026-11-24T10:00:00Z"), m);
  ASSERT_TRUE(q) << q.error().describe();
  Sink sink(dir_, {});
  const auto r = round(config(sink.port()), "2026-11-24T10:01:00Z");
  EXPECT_EQ(r.sent, 1);
  EXPECT_EQ(r.left, 0);

  const auto after = reread(q->message.id);
  EXPECT_EQ(after.state, ns::MessageState::sent);
  EXPECT_EQ(after.sent_by, "mail");
  EXPECT_EQ(after.sent_at, at("2026-11-24T10:01:00Z"));
  EXPECT_EQ(after.attempts, 1);
  EXPECT_EQ(after.message_id, fmt::format("<outbox.{}.20261124T100000@clinic.example>", q->message.id));

  const auto got = sink.messages();
  ASSERT_EQ(got.size(), 1u);
  const auto& g = got[0];
  EXPECT_EQ(g["subject"], m.subject) << "the UTF-8 subject, decoded from its RFC 2047 words";
  EXPECT_EQ(g["message_id"], after.message_id);
  EXPECT_EQ(g["envelope_from"], "front@clinic.example");
  EXPECT_EQ(g["envelope_to"], json::array({"ana@example.org"}));
  EXPECT_EQ(g["to"], "ana@example.org");
  EXPECT_NE(g["from"].get<std::string>().find("front@clinic.example"), std::string::npos);
  EXPECT_NE(g["date"].get<std::string>().find("24 Nov 2026 10:01:00"), std::string::npos) << g["date"];
  EXPECT_EQ(g["content_type"], "multipart/mixed");
  EXPECT_EQ(g["parts"], json::array({"multipart/mixed", "multipart/alternative", "text/plain", "text/html",
                                     "text/calendar"}));
  EXPECT_EQ(g["text"], m.body);
  EXPECT_EQ(g["html"], m.body_html);
  ASSERT_EQ(g["attachments"].size(), 1u);
  EXPECT_EQ(g["attachments"][0]["filename"], "next-visit.ics");
  EXPECT_EQ(g["attachments"][0]["type"], "text/calendar");
  EXPECT_NE(g["attachments"][0]["content"].get<std::string>().find("SUMMARY:Next visit"), std::string::npos);
  expect_audit_ok();
}

TEST_P(Mail, ConsentIsCheckedAgainAsAMessageLeaves) {
  const auto q = queue("Your aftercare");
  ASSERT_EQ(q.state, ns::MessageState::queued);
  // Ana unsubscribes after it was queued and before the mailer's round: it never leaves.
  auto token = clinic_->unsubscribe_token("C-1", at("2026-11-24T10:00:30Z"));
  ASSERT_TRUE(token) << token.error().describe();
  ASSERT_TRUE(clinic_->unsubscribe(ns::Actor{"unsubscribe link", at("2026-11-24T10:00:40Z")}, *token));
  Sink sink(dir_, {});
  const auto r = round(config(sink.port()), "2026-11-24T10:01:00Z");
  EXPECT_EQ(r.sent, 0);
  EXPECT_TRUE(sink.messages().empty()) << "nothing reached the relay";
  const auto after = reread(q.id);
  EXPECT_EQ(after.state, ns::MessageState::withheld);
  EXPECT_NE(after.last_error.find("withdrew consent to messages"), std::string::npos) << after.last_error;
  expect_audit_ok();
}

TEST_P(Mail, TheRoundQueuesAndSendsAReminderComposedFromThePack) {
  ASSERT_TRUE(clinic_->record_consent(by("2026-11-20T09:05:00Z"), "C-1", "I consent.", "Ana"));
  auto intake = intake_json("C-1", "2026-11-23", {{{"area", "face"}, {"concerns", {"pores"}}}});
  intake["client"]["name"] = "Ana Ñúñez";
  record_intake(intake);
  // A booked visit within the lead: the round queues its reminder (the pack's words, the visit as .ics) and
  // sends it in the same round.
  auto booked = clinic_->book_appointment(by("2026-11-23T09:30:00Z"), "C-1", "face", nu::millimetres(0.5),
                                          at("2026-11-25T09:00:00Z"));
  ASSERT_TRUE(booked) << booked.error().describe();
  Sink sink(dir_, {});
  auto c = config(sink.port());
  c.reminder_lead = std::chrono::hours{24};
  const auto r = round(c, "2026-11-24T10:00:00Z");
  EXPECT_EQ(r.sent, 1);
  const auto got = sink.messages();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_NE(got[0]["subject"].get<std::string>().find("Wednesday 25 November 2026, 09:00 UTC"),
            std::string::npos)
      << got[0]["subject"];
  EXPECT_NE(got[0]["text"].get<std::string>().find("Dear Ana"), std::string::npos);
  EXPECT_NE(got[0]["html"].get<std::string>().find("unsubscribe"), std::string::npos);
  ASSERT_EQ(got[0]["attachments"].size(), 1u);
  EXPECT_NE(got[0]["attachments"][0]["content"].get<std::string>().find("DTSTART:20261125T090000Z"),
            std::string::npos);
  EXPECT_EQ(round(c, "2026-11-24T11:00:00Z").sent, 0) << "a visit is reminded once";
}

TEST_P(Mail, APlainMessageHasOnlyItsTextPart) {
  const auto q = queue("Your aftercare");
  Sink sink(dir_, {});
  EXPECT_EQ(round(config(sink.port()), "2026-11-24T10:01:00Z").sent, 1);
  const auto got = sink.messages();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["parts"], json::array({"multipart/mixed", "text/plain"}));
  EXPECT_EQ(got[0]["subject"], "Your aftercare");
  EXPECT_EQ(got[0]["text"], q.body);
}

TEST_P(Mail, ARelayDownIsRetriedAndTheMessageDeliveredOnceWhenItIsUp) {
  const auto q = queue("Retried");
  const int port = free_port();
  const auto down = round(config(port), "2026-11-24T10:01:00Z");
  EXPECT_TRUE(down.relay_down);
  EXPECT_EQ(down.retrying, 1);
  EXPECT_EQ(down.left, 1);
  auto m = reread(q.id);
  EXPECT_EQ(m.state, ns::MessageState::queued);
  EXPECT_EQ(m.attempts, 1);
  EXPECT_NE(m.last_error.find("127.0.0.1"), std::string::npos) << m.last_error;
  ASSERT_TRUE(m.next_attempt_at);
  // retry_base 60 s ± 20 %.
  EXPECT_GE(*m.next_attempt_at, at("2026-11-24T10:01:48Z"));
  EXPECT_LE(*m.next_attempt_at, at("2026-11-24T10:02:12Z"));
  const std::string first_id = m.message_id;
  EXPECT_FALSE(first_id.empty());

  Sink sink(dir_, {}, port);
  // Not yet due: nothing is tried before its time.
  EXPECT_EQ(round(config(port), "2026-11-24T10:01:30Z").sent, 0);
  EXPECT_EQ(sink.count(), 0u);
  const auto up = round(config(port), "2026-11-24T10:05:00Z");
  EXPECT_EQ(up.sent, 1);
  EXPECT_EQ(up.left, 0);
  m = reread(q.id);
  EXPECT_EQ(m.state, ns::MessageState::sent);
  EXPECT_EQ(m.attempts, 2);
  EXPECT_EQ(m.message_id, first_id) << "the Message-ID is fixed at the first attempt";
  EXPECT_EQ(round(config(port), "2026-11-24T11:00:00Z").sent, 0);
  const auto got = sink.messages();
  ASSERT_EQ(got.size(), 1u) << "delivered once";
  EXPECT_EQ(got[0]["message_id"], first_id);
  expect_audit_ok();
}

TEST_P(Mail, A451IsRetriedThenAccepted) {
  const auto q = queue("Greylisted");
  Sink sink(dir_, {"--fail-first", "1"});
  const auto first = round(config(sink.port()), "2026-11-24T10:01:00Z");
  EXPECT_EQ(first.retrying, 1);
  EXPECT_FALSE(first.relay_down) << "the relay answered";
  auto m = reread(q.id);
  EXPECT_EQ(m.state, ns::MessageState::queued);
  EXPECT_NE(m.last_error.find("451"), std::string::npos) << m.last_error;
  const auto second = round(config(sink.port()), "2026-11-24T10:10:00Z");
  EXPECT_EQ(second.sent, 1);
  m = reread(q.id);
  EXPECT_EQ(m.state, ns::MessageState::sent);
  EXPECT_EQ(m.attempts, 2);
  EXPECT_EQ(m.last_error, "");
  EXPECT_EQ(sink.count(), 1u);
}

TEST_P(Mail, A550FailsAtOnceWithTheRelaysTextAndIsNotRetried) {
  const auto q = queue("Refused");
  const auto other = queue("Refused too", "2026-11-24T10:00:30Z");
  Sink sink(dir_, {"--reject"});
  const auto r = round(config(sink.port()), "2026-11-24T10:01:00Z");
  EXPECT_EQ(r.failed, 2) << "a refusal is about one message: the round goes on";
  EXPECT_EQ(r.left, 0);
  auto m = reread(q.id);
  EXPECT_EQ(m.state, ns::MessageState::failed);
  EXPECT_EQ(m.attempts, 1);
  EXPECT_FALSE(m.next_attempt_at);
  EXPECT_NE(m.last_error.find("550 5.7.1 Delivery not authorized"), std::string::npos) << m.last_error;
  EXPECT_EQ(round(config(sink.port()), "2026-11-25T10:00:00Z").failed, 0) << "not tried again";
  EXPECT_EQ(reread(q.id).attempts, 1);
  EXPECT_EQ(reread(other.id).state, ns::MessageState::failed);
  EXPECT_EQ(sink.count(), 0u);

  // A person sends it back to the queue: attempts start again, and it goes once the relay takes it.
  auto retried = clinic_->retry_message(by("2026-11-25T10:00:00Z", "bea"), q.id);
  ASSERT_TRUE(retried) << retried.error().describe();
  EXPECT_EQ(retried->state, ns::MessageState::queued);
  EXPECT_EQ(retried->attempts, 0);
  auto again = clinic_->retry_message(by("2026-11-25T10:00:00Z", "bea"), q.id);
  ASSERT_FALSE(again) << "only a failed message is retried";
  EXPECT_EQ(again.error().code, needlework::ErrorCode::invalid_value);
  expect_audit_ok();
}

TEST_P(Mail, AMessageFailsWhenItsAttemptsRunOut) {
  const auto q = queue("Never reaches");
  auto c = config(free_port());
  c.max_attempts = 3;
  const char* rounds[] = {"2026-11-24T10:01:00Z", "2026-11-24T11:00:00Z", "2026-11-24T13:00:00Z"};
  for (int i = 0; i < 3; ++i) {
    const auto r = round(c, rounds[i]);
    EXPECT_TRUE(r.relay_down);
    EXPECT_EQ(reread(q.id).attempts, i + 1);
  }
  const auto m = reread(q.id);
  EXPECT_EQ(m.state, ns::MessageState::failed);
  EXPECT_FALSE(m.next_attempt_at);
  EXPECT_NE(m.last_error.find("127.0.0.1"), std::string::npos) << m.last_error;
  auto failed = clinic_->outbox_in(ns::MessageState::failed);
  ASSERT_TRUE(failed);
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_EQ(round(c, "2026-11-25T13:00:00Z").retrying, 0) << "a failed message is not tried";
}

TEST_P(Mail, AWorkerKilledMidBatchLosesNothingAndNeverChangesAMessageId) {
  constexpr int count = 6;
  std::vector<ns::OutboxMessage> queued;
  for (int i = 0; i < count; ++i) queued.push_back(queue(fmt::format("Batch message {}", i)));
  // A slow relay: each message is written, then accepted a while later — a sender killed meanwhile has sent
  // it without hearing so.
  Sink sink(dir_, {"--delay", "0.5"});
  const std::map<std::string, std::string> env{{"NEEDLEWORK_SMTP_HOST", "127.0.0.1"},
                                               {"NEEDLEWORK_SMTP_PORT", std::to_string(sink.port())},
                                               {"NEEDLEWORK_SMTP_TLS", "none"},
                                               {"NEEDLEWORK_MAIL_FROM", "front@clinic.example"}};
  const std::vector<std::string> common{"--db", where_, "outbox", "send"};
  {
    auto args = common;
    args.insert(args.end(), {"--now", "2026-11-24T10:01:00Z"});
    Child sender(NEEDLEWORK_BIN, args, dir_ / "sender.log", env);
    ASSERT_TRUE(sender.started());
    ASSERT_TRUE(wait_for([&] { return sink.count() >= 2; })) << "the sender delivered nothing";
    sender.kill_now();
  }
  const auto before = sink.count();
  EXPECT_LT(before, static_cast<std::size_t>(count)) << "killed mid-batch";
  // Again after the claim lease of the killed sender's message has run out.
  needlework::test::RunRequest again;
  again.program = NEEDLEWORK_BIN;
  again.args = common;
  again.args.insert(again.args.end(), {"--now", "2026-11-24T10:30:00Z"});
  again.env = env;
  const auto result = needlework::test::run(again);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;

  reopen();
  std::map<std::string, std::string> id_of_subject;
  for (const auto& q : queued) {
    const auto m = reread(q.id);
    EXPECT_EQ(m.state, ns::MessageState::sent) << q.subject;
    id_of_subject[m.subject] = m.message_id;
  }
  std::map<std::string, int> copies;
  for (const auto& g : sink.messages()) {
    const std::string subject = g["subject"];
    ASSERT_TRUE(id_of_subject.contains(subject)) << subject;
    EXPECT_EQ(g["message_id"], id_of_subject[subject]) << "a copy with another Message-ID: " << subject;
    ++copies[subject];
  }
  EXPECT_EQ(copies.size(), static_cast<std::size_t>(count)) << "every message delivered";
  int duplicates = 0;
  for (const auto& [s, n] : copies) duplicates += n - 1;
  EXPECT_LE(duplicates, 1) << "only the message in flight at the kill may arrive twice";
  expect_audit_ok();
}

TEST(MailHeaders, ASubjectThatIsNotAsciiIsEncodedAsRfc2047Words) {
  EXPECT_EQ(needlework::mail::encode_header("Plain subject"), "Plain subject");
  const auto encoded = needlework::mail::encode_header("Über");
  EXPECT_EQ(encoded, "=?UTF-8?B?w5xiZXI=?=");
  // A long one is split into words of at most 75 characters, never inside a UTF-8 character.
  const std::string long_subject = "Nachsorge für Ihre Sitzung — bitte lesen: Ärzte empfehlen Geduld ✓✓✓✓✓";
  const auto words = needlework::mail::encode_header(long_subject);
  std::regex word(R"(=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=)");
  std::size_t n = 0;
  for (auto it = std::sregex_iterator(words.begin(), words.end(), word); it != std::sregex_iterator(); ++it) {
    EXPECT_LE(it->length(), 75);
    ++n;
  }
  EXPECT_GT(n, 1u);
  EXPECT_EQ(needlework::mail::rfc5322_date(at("2026-12-07T06:22:31Z")), "Mon, 07 Dec 2026 06:22:31 +0000");
}

TEST(DeliveryRules, WhatFollowsEachAnswer) {
  ns::OutboxMessage m;
  m.id = 7;
  m.recipient = "a@example.org";
  m.created_at = at("2026-11-24T10:00:00Z");
  const ns::RetryPolicy policy{4, std::chrono::seconds{60}, std::chrono::seconds{300}};
  const auto now = at("2026-11-24T10:00:00Z");

  const auto ok = ns::after_attempt(m, {ns::AttemptResult::accepted, "250 OK"}, now, policy, 0.0);
  EXPECT_EQ(ok.state, ns::MessageState::sent);
  EXPECT_EQ(ok.sent_at, now);
  EXPECT_EQ(ok.sent_by, "mail");
  EXPECT_EQ(ok.attempts, 1);

  const auto refused = ns::after_attempt(m, {ns::AttemptResult::permanent, "550 no"}, now, policy, 0.0);
  EXPECT_EQ(refused.state, ns::MessageState::failed);
  EXPECT_EQ(refused.last_error, "550 no");

  // Temporary: base·2^(n−1), capped, ±20 % jitter at the ends of [−1, 1].
  auto t = ns::after_attempt(m, {ns::AttemptResult::temporary, "451 later"}, now, policy, 0.0);
  EXPECT_EQ(t.state, ns::MessageState::queued);
  EXPECT_EQ(*t.next_attempt_at, now + std::chrono::seconds{60});
  EXPECT_EQ(*ns::after_attempt(m, {ns::AttemptResult::temporary, ""}, now, policy, 1.0).next_attempt_at,
            now + std::chrono::seconds{72});
  EXPECT_EQ(*ns::after_attempt(m, {ns::AttemptResult::temporary, ""}, now, policy, -1.0).next_attempt_at,
            now + std::chrono::seconds{48});
  t = ns::after_attempt(t, {ns::AttemptResult::temporary, "451 later"}, now, policy, 0.0);
  EXPECT_EQ(*t.next_attempt_at, now + std::chrono::seconds{120});
  t = ns::after_attempt(t, {ns::AttemptResult::temporary, "451 later"}, now, policy, 0.0);
  EXPECT_EQ(*t.next_attempt_at, now + std::chrono::seconds{240});
  EXPECT_EQ(ns::retry_delay(4, policy), std::chrono::seconds{300}) << "capped";
  t = ns::after_attempt(t, {ns::AttemptResult::temporary, "451 still"}, now, policy, 0.0);
  EXPECT_EQ(t.attempts, 4);
  EXPECT_EQ(t.state, ns::MessageState::failed) << "the fourth of four attempts";
  EXPECT_EQ(t.last_error, "451 still");
  EXPECT_FALSE(t.next_attempt_at);

  EXPECT_EQ(ns::message_id_for(m, "clinic.example"), "<outbox.7.20261124T100000@clinic.example>");
  EXPECT_EQ(ns::domain_of("Clinic <front@clinic.example>"), "clinic.example");
  EXPECT_EQ(ns::domain_of("front@clinic.example"), "clinic.example");
  EXPECT_EQ(ns::domain_of("nobody"), "localhost");
}

}  // namespace
