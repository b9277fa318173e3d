// What is sent to a client, on both backends (docs/mail.md): the pack's words filled in (the aftercare with
// an HTML part and the next visit as an .ics; the 24-hour prompt queued for when the follow-up falls due;
// reminders; recall notices), and the client's consent honoured — no consent, no message; an unsubscribe link
// withdraws it; the sign-in link the client asks for is the one message sent without it.

#include <fmt/format.h>

#include "store_fixture.hpp"

using needlework::ErrorCode;

namespace {

class Messages : public StoreTest {
 protected:
  /// A client ready for a session (cleared intake, consent to treatment) with an email address.
  void ready_with_email(const std::string& id) {
    ready_client(id);
    ns::ClientChanges c;
    c.email = id + "@example.org";
    auto r = clinic_->update_client(by("2026-11-23T09:20:00Z"), id, c);
    ASSERT_TRUE(r) << r.error().describe();
  }
  void agree(const std::string& id, bool agreed = true, const char* when = "2026-11-23T09:30:00Z") {
    auto r = clinic_->record_message_consent(by(when), id, agreed, ns::ConsentVia::clinic);
    ASSERT_TRUE(r) << r.error().describe();
  }
  std::vector<ns::OutboxMessage> of_kind(const std::string& kind) {
    auto all = clinic_->outbox(true);
    EXPECT_TRUE(all) << all.error().describe();
    std::vector<ns::OutboxMessage> out;
    for (const auto& m : *all) {
      if (m.kind == kind) out.push_back(m);
    }
    return out;
  }
  static std::string token_in(const std::string& body) {
    const auto p = body.find("#token=");
    if (p == std::string::npos) return {};
    const auto start = p + 7;
    auto end = body.find_first_not_of("0123456789abcdef", start);
    return body.substr(start, end == std::string::npos ? std::string::npos : end - start);
  }
  void expect_audit_ok() {
    auto check = store_->verify_audit();
    ASSERT_TRUE(check) << check.error().describe();
    EXPECT_TRUE(check->ok) << check->problem;
  }
};
NEEDLEWORK_INSTANTIATE_STORE_TESTS(Messages);

TEST_P(Messages, WithoutConsentTheAftercareIsWithheldSayingWhy) {
  ready_with_email("C-1");
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  session("C-1", r, "2026-11-24T10:00:00Z", "2026-11-24T10:40:00Z");
  auto aftercare = of_kind("aftercare");
  ASSERT_EQ(aftercare.size(), 1u);
  EXPECT_EQ(aftercare[0].state, ns::MessageState::withheld);
  // No visit booked: the pack's phrase for it (MSG.aftercare no_next_visit), and nothing attached.
  EXPECT_NE(aftercare[0].body.find("Your next visit: none booked yet"), std::string::npos)
      << aftercare[0].body;
  EXPECT_TRUE(aftercare[0].attachment.empty());
  EXPECT_EQ(aftercare[0].last_error, "the client has not agreed to messages");
  EXPECT_EQ(aftercare[0].recipient, "C-1@example.org")
      << "the address is kept: it is the consent that is missing";
  auto due = store_->due_messages(at("2026-11-30T00:00:00Z"), 10);
  ASSERT_TRUE(due);
  EXPECT_TRUE(due->empty()) << "nothing the mailer may send";
}

TEST_P(Messages, TheAftercareIsThePacksWordsWithAnHtmlPartAndTheNextVisitAttached) {
  ready_with_email("C-1");
  agree("C-1");
  auto booked = clinic_->book_appointment(by("2026-11-24T09:00:00Z"), "C-1", "face", nu::millimetres(1.0),
                                          at("2026-11-28T14:30:00Z"));
  ASSERT_TRUE(booked) << booked.error().describe();
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  const auto sid = session("C-1", r, "2026-11-24T10:00:00Z", "2026-11-24T10:40:00Z");
  auto aftercare = of_kind("aftercare");
  ASSERT_EQ(aftercare.size(), 1u);
  const auto& m = aftercare[0];
  EXPECT_EQ(m.state, ns::MessageState::queued);
  EXPECT_EQ(m.session_id, sid);
  EXPECT_NE(m.subject.find("Tuesday 24 November 2026"), std::string::npos) << m.subject;
  EXPECT_NE(m.body.find("Dear Test C-1"), std::string::npos) << "the pack's words, the client's name";
  EXPECT_NE(m.body.find("AFTER.first_day"), std::string::npos) << "the sheet's rules";
  EXPECT_NE(m.body.find("Saturday 28 November 2026, 14:30 UTC"), std::string::npos) << "the next visit";
  EXPECT_NE(m.body_html.find("<h2>Aftercare after micro-needling</h2>"), std::string::npos);
  EXPECT_NE(m.body_html.find("Dear Test C-1"), std::string::npos);
  EXPECT_EQ(m.attachment_name, "next-visit.ics");
  EXPECT_EQ(m.attachment_type.rfind("text/calendar", 0), 0u);
  EXPECT_NE(m.attachment.find(fmt::format("UID:appointment-{}@", booked->id)), std::string::npos);
  EXPECT_NE(m.attachment.find("DTSTART:20261128T143000Z"), std::string::npos);
  // The event's title is the pack's (MSG.aftercare visit_title), with the area's label.
  EXPECT_NE(m.attachment.find("SUMMARY:Micro-needling: Face\r\n"), std::string::npos) << m.attachment;
  // The unsubscribe link is in both parts and carries the client's token.
  const auto token = token_in(m.body);
  EXPECT_EQ(token.size(), 32u) << m.body;
  EXPECT_NE(m.body_html.find(token), std::string::npos);
  expect_audit_ok();
}

TEST_P(Messages, The24HourPromptIsQueuedWhenTheFollowUpFallsDueAndNotOnceItIsRecorded) {
  ready_with_email("C-1");
  agree("C-1");
  clinic_->set_public_url("https://clinic.example:8443/");
  const auto r1 = assigned_roller("C-1", "LOT-A", "1");
  const auto r2 = assigned_roller("C-1", "LOT-B", "2");
  const auto s1 = session("C-1", r1, "2026-11-24T10:00:00Z", "2026-11-24T10:40:00Z");
  const auto s2 = session("C-1", r2, "2026-11-28T10:00:00Z", "2026-11-28T10:40:00Z");
  const auto lead = std::chrono::hours{24};
  auto early = clinic_->queue_due_messages(by("2026-11-25T10:39:00Z"), lead);
  ASSERT_TRUE(early) << early.error().describe();
  EXPECT_EQ(*early, 0) << "the pack's 24 h (FU.*_persisting) have not passed";
  auto due = clinic_->queue_due_messages(by("2026-11-25T10:41:00Z"), lead);
  ASSERT_TRUE(due) << due.error().describe();
  EXPECT_EQ(*due, 1);
  auto again = clinic_->queue_due_messages(by("2026-11-25T11:00:00Z"), lead);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0) << "once per session";
  auto prompt = of_kind("followup_prompt");
  ASSERT_EQ(prompt.size(), 1u);
  EXPECT_EQ(prompt[0].session_id, s1);
  EXPECT_EQ(prompt[0].state, ns::MessageState::queued);
  EXPECT_NE(prompt[0].body.find("https://clinic.example:8443/portal"), std::string::npos) << prompt[0].body;
  // The second session's 24-hour check is recorded (at the clinic) before the mailer's next round: no prompt.
  auto f = clinic_->record_followup(by("2026-11-29T10:45:00Z"), s2, {"dryness"});
  ASSERT_TRUE(f) << f.error().describe();
  auto after_followup = clinic_->queue_due_messages(by("2026-11-29T10:50:00Z"), lead);
  ASSERT_TRUE(after_followup);
  EXPECT_EQ(*after_followup, 0) << "the client has already reported";
}

TEST_P(Messages, ConsentIsRecordedWithdrawnAndHonouredAtQueueTime) {
  ready_with_email("C-1");
  EXPECT_FALSE(*clinic_->message_consent("C-1")) << "never asked";
  agree("C-1", true, "2026-11-23T09:30:00Z");
  const auto entries = audit_count();
  agree("C-1", true, "2026-11-23T09:31:00Z");
  EXPECT_EQ(audit_count(), entries) << "saying again what is in force writes nothing";
  agree("C-1", false, "2026-11-23T09:40:00Z");
  auto in_force = clinic_->message_consent("C-1");
  ASSERT_TRUE(in_force && *in_force);
  EXPECT_FALSE((*in_force)->agreed);
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  session("C-1", r, "2026-11-24T10:00:00Z", "2026-11-24T10:40:00Z");
  auto aftercare = of_kind("aftercare");
  ASSERT_EQ(aftercare.size(), 1u);
  EXPECT_EQ(aftercare[0].state, ns::MessageState::withheld);
  EXPECT_NE(aftercare[0].last_error.find("withdrew consent to messages on 2026-11-23"), std::string::npos)
      << aftercare[0].last_error;
  auto history = clinic_->history("C-1");
  ASSERT_TRUE(history);
  ASSERT_EQ(history->message_consents.size(), 2u);
  EXPECT_TRUE(history->message_consents[0].agreed);
  EXPECT_FALSE(history->message_consents[1].agreed);
  EXPECT_EQ(history->message_consents[1].via, ns::ConsentVia::clinic);
  auto unknown =
      clinic_->record_message_consent(by("2026-11-23T10:00:00Z"), "C-404", true, ns::ConsentVia::clinic);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::not_found);
  expect_audit_ok();
}

TEST_P(Messages, TheUnsubscribeLinkWithdrawsConsentAndOnlyThatClients) {
  ready_with_email("C-1");
  ready_with_email("C-2");
  agree("C-1");
  agree("C-2");
  const auto r1 = assigned_roller("C-1", "LOT-A", "1");
  session("C-1", r1, "2026-11-24T10:00:00Z", "2026-11-24T10:40:00Z");
  const auto token = token_in(of_kind("aftercare").at(0).body);
  ASSERT_FALSE(token.empty());
  auto done = clinic_->unsubscribe(ns::Actor{"unsubscribe link", at("2026-11-24T12:00:00Z")}, token);
  ASSERT_TRUE(done) << done.error().describe();
  EXPECT_EQ(done->client_id, "C-1");
  EXPECT_FALSE(done->agreed);
  EXPECT_EQ(done->via, ns::ConsentVia::unsubscribe_link);
  EXPECT_EQ(done->recorded_by, "unsubscribe link");
  EXPECT_TRUE((*clinic_->message_consent("C-2"))->agreed) << "another client's consent is untouched";
  auto again = clinic_->unsubscribe(ns::Actor{"unsubscribe link", at("2026-11-24T12:05:00Z")}, token);
  ASSERT_TRUE(again) << "a second click is harmless";
  auto bad =
      clinic_->unsubscribe(ns::Actor{"unsubscribe link", at("2026-11-24T12:05:00Z")}, std::string(32, '0'));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::not_found);
  EXPECT_EQ(bad.error().where, "token");
  // A message queued from now on for C-1 is withheld.
  const auto r2 = assigned_roller("C-1", "LOT-B", "2");
  session("C-1", r2, "2026-11-28T10:00:00Z", "2026-11-28T10:40:00Z");
  auto aftercare = of_kind("aftercare");
  ASSERT_EQ(aftercare.size(), 2u);
  EXPECT_EQ(aftercare[1].state, ns::MessageState::withheld);
  expect_audit_ok();
}

TEST_P(Messages, APortalLinkGoesWithoutConsent) {
  ready_with_email("C-1");
  ns::OutboxMessage m;
  m.client_id = "C-1";
  m.kind = "portal_link";
  m.subject = "Your sign-in link";
  m.body = "…";
  auto q = clinic_->queue_message(by("2026-11-24T12:00:00Z"), m);
  ASSERT_TRUE(q) << q.error().describe();
  EXPECT_EQ(q->message.state, ns::MessageState::queued) << "the client asked for it";
}

TEST_P(Messages, ASignInLinksTokenLeavesTheOutboxOnceTheMessageIsSent) {
  // ASVS V2.7.5: only the link's hash is kept (portal_links); the message carrying it keeps the token only
  // until the relay has taken it — a retry still needs it, a sent message does not.
  ready_with_email("C-1");
  ns::OutboxMessage m;
  m.client_id = "C-1";
  m.kind = "portal_link";
  m.subject = "Your sign-in link";
  const std::string token = "AbC_-123xyzAbC_-123xyzAbC_-123xyzAbC_-123xy";
  const std::string unsubscribe = "https://clinic.example/unsubscribe#token=0123456789abcdef0123456789abcdef";
  m.body =
      "Sign in: https://clinic.example/portal/sign-in#token=" + token + "\nIt works once.\n" + unsubscribe;
  m.body_html = "<p><a href=\"https://clinic.example/portal/sign-in#token=" + token + "\">Sign in</a></p>";
  auto q = clinic_->queue_message(by("2026-11-24T12:00:00Z"), m);
  ASSERT_TRUE(q) << q.error().describe();
  const auto id = q->message.id;
  const ns::RetryPolicy policy;
  auto claim = [&](const char* when) {
    auto c = clinic_->claim_message(by(when, "mailer"), id, std::chrono::seconds(60), "clinic.example");
    ASSERT_TRUE(c && *c) << (c ? "not due" : c.error().describe());
  };
  claim("2026-11-24T12:00:01Z");
  auto retry =
      clinic_->record_attempt(by("2026-11-24T12:00:02Z", "mailer"), id,
                              ns::Attempt{ns::AttemptResult::temporary, "451 try later"}, policy, 0.0);
  ASSERT_TRUE(retry) << retry.error().describe();
  EXPECT_EQ(retry->state, ns::MessageState::queued);
  EXPECT_NE(retry->body.find(token), std::string::npos) << "a retry must still carry the link";
  EXPECT_NE(retry->body_html.find(token), std::string::npos);

  claim("2026-11-24T12:05:00Z");
  auto sent = clinic_->record_attempt(by("2026-11-24T12:05:01Z", "mailer"), id,
                                      ns::Attempt{ns::AttemptResult::accepted, "250 ok"}, policy, 0.0);
  ASSERT_TRUE(sent) << sent.error().describe();
  EXPECT_EQ(sent->state, ns::MessageState::sent);
  auto stored = of_kind("portal_link");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].body.find(token), std::string::npos) << stored[0].body;
  EXPECT_NE(stored[0].body.find("/portal/sign-in#token=(removed once sent)\nIt works once."),
            std::string::npos)
      << stored[0].body;
  EXPECT_NE(stored[0].body.find(unsubscribe), std::string::npos)
      << "another link was changed: " << stored[0].body;
  EXPECT_EQ(stored[0].body_html,
            "<p><a href=\"https://clinic.example/portal/sign-in#token=(removed once sent)\">Sign in</a></p>");
  expect_audit_ok();
}

TEST_P(Messages, AReminderIsQueuedOncePerVisitWithinTheLead) {
  ready_with_email("C-1");
  agree("C-1");
  auto soon = clinic_->book_appointment(by("2026-11-24T09:00:00Z"), "C-1", "face", nu::millimetres(1.0),
                                        at("2026-11-28T14:30:00Z"));
  auto later = clinic_->book_appointment(by("2026-11-24T09:00:00Z"), "C-1", "face", nu::millimetres(1.0),
                                         at("2026-12-05T14:30:00Z"));
  ASSERT_TRUE(soon && later) << (soon ? later.error().describe() : soon.error().describe());
  const auto lead = std::chrono::hours{24};
  auto none = clinic_->queue_due_messages(by("2026-11-27T14:00:00Z"), lead);
  ASSERT_TRUE(none) << none.error().describe();
  EXPECT_EQ(*none, 0) << "more than a day ahead";
  auto one = clinic_->queue_due_messages(by("2026-11-27T15:00:00Z"), lead);
  ASSERT_TRUE(one) << one.error().describe();
  EXPECT_EQ(*one, 1);
  auto again = clinic_->queue_due_messages(by("2026-11-27T16:00:00Z"), lead);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0) << "a visit is reminded once";
  auto reminders = of_kind("reminder");
  ASSERT_EQ(reminders.size(), 1u);
  EXPECT_NE(reminders[0].subject.find("Saturday 28 November 2026, 14:30 UTC"), std::string::npos)
      << reminders[0].subject;
  EXPECT_NE(reminders[0].attachment.find("BEGIN:VEVENT"), std::string::npos);
  ASSERT_TRUE(clinic_->cancel_appointment(by("2026-11-27T16:30:00Z"), later->id));
  auto cancelled = clinic_->queue_due_messages(by("2026-12-04T15:00:00Z"), lead);
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(*cancelled, 0) << "a cancelled visit is not reminded";
}

TEST_P(Messages, ARecallNoticeReachesEveryClientTheLotTouched) {
  ready_with_email("C-1");
  ready_with_email("C-2");
  agree("C-1");
  agree("C-2");
  const auto r1 = assigned_roller("C-1", "LOT-R", "1");
  const auto r2 = assigned_roller("C-2", "LOT-R", "2");
  const auto r3 = assigned_roller("C-2", "LOT-OK", "3");
  const auto s1 = session("C-1", r1, "2026-11-24T10:00:00Z", "2026-11-24T10:40:00Z");
  const auto s2 = session("C-2", r2, "2026-11-24T11:00:00Z", "2026-11-24T11:40:00Z");
  session("C-2", r3, "2026-11-28T11:00:00Z", "2026-11-28T11:40:00Z");
  auto recall = clinic_->recall_lot(by("2026-11-30T09:00:00Z"), "LOT-R", "sterility not assured");
  ASSERT_TRUE(recall) << recall.error().describe();
  auto notices = of_kind("recall_notice");
  ASSERT_EQ(notices.size(), 2u) << "one per session the lot touched, none for the other lot";
  EXPECT_EQ(notices[0].session_id, s1);
  EXPECT_EQ(notices[1].session_id, s2);
  EXPECT_EQ(notices[1].client_id, "C-2");
  EXPECT_NE(notices[0].body.find("LOT-R"), std::string::npos);
  EXPECT_NE(notices[0].body.find("sterility not assured"), std::string::npos);
  EXPECT_EQ(notices[0].state, ns::MessageState::queued);
  expect_audit_ok();
}

}  // namespace
