// The outbox as the mailer needs it (schema version 11, docs/mail.md), on both backends: the migration keeps
// every message and its audit digest, the delivery fields round-trip, a dedupe key queues a message once, the
// address is taken at queue time (withheld without one), and the due query picks what the mailer may try.

#include <fmt/format.h>

#include "store_fixture.hpp"

using needlework::ErrorCode;

namespace {

/// The tables of the migrations after 0011, dropped with it when a test takes a database back to version 10.
const std::string later_tables_dropped =
    "DROP TABLE unsubscribe_tokens; DROP TABLE message_consents; DROP TABLE home_sessions; DROP TABLE "
    "home_rollers; DROP TABLE calendar_feeds; DROP TABLE client_sessions; DROP TABLE portal_links;";

class Outbox : public StoreTest {
 protected:
  void add_client_with_email(const std::string& id, const std::string& email) {
    ns::ClientRecord c;
    c.id = id;
    c.name = "Test " + id;
    c.email = email;
    auto r = clinic_->add_client(by("2026-11-20T09:00:00Z"), c);
    ASSERT_TRUE(r) << r.error().describe();
    // No consent, no message (messages_test.cpp): these clients agreed.
    auto agreed =
        clinic_->record_message_consent(by("2026-11-20T09:00:00Z"), id, true, ns::ConsentVia::clinic);
    ASSERT_TRUE(agreed) << agreed.error().describe();
  }

  static ns::OutboxMessage message(const std::string& client, const char* subject) {
    ns::OutboxMessage m;
    m.client_id = client;
    m.kind = "aftercare";
    m.subject = subject;
    m.body = "Body of " + std::string(subject);
    return m;
  }

  void expect_audit_ok() {
    auto check = store_->verify_audit();
    ASSERT_TRUE(check) << check.error().describe();
    EXPECT_TRUE(check->ok) << check->problem;
  }
};
NEEDLEWORK_INSTANTIATE_STORE_TESTS(Outbox);

TEST_P(Outbox, Version11KeepsEveryMessageItsIdAndItsAuditDigest) {
  add_client("C-1");
  // Two messages as version 10 wrote them (no delivery fields): one waiting, one handed over.
  auto waiting = message("C-1", "Waiting");
  waiting.created_at = at("2026-11-24T10:00:00Z");
  auto w = store_->insert_message(by("2026-11-24T10:00:00Z"), waiting);
  ASSERT_TRUE(w) << w.error().describe();
  auto handed = message("C-1", "Handed over");
  handed.created_at = at("2026-11-24T10:01:00Z");
  handed.sent_at = at("2026-11-24T10:05:00Z");
  handed.sent_by = "ana";
  auto h = store_->insert_message(by("2026-11-24T10:05:00Z"), handed);
  ASSERT_TRUE(h) << h.error().describe();
  close();
  // Undo 0011 by hand: the outbox is as version 10 left it (and the later migrations' tables are gone, so
  // they are applied again after it).
  raw_sql(later_tables_dropped);
  if (backend() == Backend::sqlite) {
    raw_sql(
        "DROP INDEX outbox_due; "
        "CREATE TABLE outbox_v10 (id INTEGER PRIMARY KEY, client_id TEXT NOT NULL REFERENCES clients(id), "
        "session_id INTEGER REFERENCES sessions(id), kind TEXT NOT NULL CHECK (kind IN ('aftercare')), "
        "subject TEXT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL, sent_at TEXT, "
        "sent_by TEXT NOT NULL DEFAULT ''); "
        "INSERT INTO outbox_v10 SELECT id, client_id, session_id, kind, subject, body, created_at, sent_at, "
        "sent_by FROM outbox; "
        "DROP TABLE outbox; ALTER TABLE outbox_v10 RENAME TO outbox; "
        "CREATE INDEX outbox_unsent ON outbox(sent_at, id); "
        "DELETE FROM schema_version WHERE version > 10");
  } else {
    raw_sql(
        "DROP INDEX outbox_due; "
        "ALTER TABLE outbox DROP COLUMN recipient, DROP COLUMN body_html, DROP COLUMN attachment_name, "
        "DROP COLUMN attachment_type, DROP COLUMN attachment, DROP COLUMN state, DROP COLUMN attempts, "
        "DROP COLUMN next_attempt_at, DROP COLUMN last_error, DROP COLUMN message_id, DROP COLUMN "
        "dedupe_key; "
        "ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check; "
        "ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check CHECK (kind IN ('aftercare')); "
        "DELETE FROM schema_version WHERE version > 10");
  }
  ASSERT_FALSE(raw_exec_ok("UPDATE outbox SET kind = 'reminder'")) << "version 10 knows only aftercare";
  reopen();
  auto info = store_->schema();
  ASSERT_TRUE(info);
  EXPECT_EQ(info->version, static_cast<int>(info->applied.size()));
  EXPECT_EQ(info->applied.at(10), "0011_outbox_delivery");

  auto all = clinic_->outbox(true);
  ASSERT_TRUE(all) << all.error().describe();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, w->id);
  EXPECT_EQ((*all)[0].subject, "Waiting");
  EXPECT_EQ((*all)[0].state, ns::MessageState::queued);
  EXPECT_EQ((*all)[0].recipient, "") << "no address was known: the mailer leaves it to be handed over";
  EXPECT_EQ((*all)[1].id, h->id);
  EXPECT_EQ((*all)[1].state, ns::MessageState::sent) << "a message with sent_at is sent";
  EXPECT_EQ((*all)[1].sent_by, "ana");
  // Both were audited in their version-10 form; the handed-over one now says "sent" and is still vouched for.
  expect_audit_ok();

  auto due = store_->due_messages(at("2026-11-25T00:00:00Z"), 10);
  ASSERT_TRUE(due);
  EXPECT_TRUE(due->empty()) << "a message without a recipient is never tried";
  // The widened kinds are accepted now, an unknown one still refused by the table.
  EXPECT_TRUE(raw_exec_ok(fmt::format("UPDATE outbox SET kind = 'reminder' WHERE id = {}", w->id)));
  EXPECT_FALSE(raw_exec_ok(fmt::format("UPDATE outbox SET kind = 'spam' WHERE id = {}", w->id)));
  EXPECT_FALSE(raw_exec_ok(fmt::format("UPDATE outbox SET state = 'lost' WHERE id = {}", w->id)));
}

TEST_P(Outbox, TheDeliveryFieldsRoundTripAndAreAudited) {
  add_client_with_email("C-1", "ana@example.org");
  auto m = message("C-1", "Your next visit");
  m.kind = "reminder";
  m.created_at = at("2026-11-24T10:00:00Z");
  m.recipient = "ana@example.org";
  m.body_html = "<p>See you <b>soon</b></p>";
  m.attachment_name = "next-visit.ics";
  m.attachment_type = "text/calendar";
  m.attachment = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";
  m.dedupe_key = "reminder:appointment:12";
  m.next_attempt_at = at("2026-11-25T09:00:00Z");
  auto saved = store_->insert_message(by("2026-11-24T10:00:00Z"), m);
  ASSERT_TRUE(saved) << saved.error().describe();
  auto found = store_->find_message(saved->id);
  ASSERT_TRUE(found && *found);
  const auto& f = **found;
  EXPECT_EQ(f.kind, "reminder");
  EXPECT_EQ(f.recipient, m.recipient);
  EXPECT_EQ(f.body_html, m.body_html);
  EXPECT_EQ(f.attachment_name, m.attachment_name);
  EXPECT_EQ(f.attachment_type, m.attachment_type);
  EXPECT_EQ(f.attachment, m.attachment);
  EXPECT_EQ(f.dedupe_key, m.dedupe_key);
  EXPECT_EQ(f.next_attempt_at, m.next_attempt_at);
  EXPECT_EQ(f.state, ns::MessageState::queued);
  EXPECT_EQ(f.attempts, 0);
  EXPECT_EQ(f.message_id, "");

  ns::OutboxMessage u = f;
  u.state = ns::MessageState::failed;
  u.attempts = 3;
  u.last_error = "550 5.1.1 no such user";
  u.message_id = "<outbox.1.20261124T100000@clinic.example>";
  u.next_attempt_at.reset();
  ASSERT_TRUE(store_->update_message(by("2026-11-24T11:00:00Z"), u));
  auto again = store_->find_message(saved->id);
  ASSERT_TRUE(again && *again);
  EXPECT_EQ((*again)->state, ns::MessageState::failed);
  EXPECT_EQ((*again)->attempts, 3);
  EXPECT_EQ((*again)->last_error, u.last_error);
  EXPECT_EQ((*again)->message_id, u.message_id);
  EXPECT_FALSE((*again)->next_attempt_at);
  auto failed = clinic_->outbox_in(ns::MessageState::failed);
  ASSERT_TRUE(failed);
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_EQ((*failed)[0].id, saved->id);
  auto queued = clinic_->outbox_in(ns::MessageState::queued);
  ASSERT_TRUE(queued);
  EXPECT_TRUE(queued->empty());
  expect_audit_ok();
  // The table itself refuses a state it does not know.
  EXPECT_FALSE(raw_exec_ok("UPDATE outbox SET state = 'bounced'"));
}

TEST_P(Outbox, ADedupeKeyQueuesAMessageOnce) {
  add_client_with_email("C-1", "ana@example.org");
  auto m = message("C-1", "Reminder");
  m.kind = "reminder";
  m.dedupe_key = "reminder:appointment:12";
  auto first = clinic_->queue_message(by("2026-11-24T10:00:00Z"), m);
  ASSERT_TRUE(first) << first.error().describe();
  EXPECT_TRUE(first->inserted);
  const auto entries = audit_count();
  m.subject = "Reminder, again";
  auto second = clinic_->queue_message(by("2026-11-24T11:00:00Z"), m);
  ASSERT_TRUE(second) << second.error().describe() << " (a key already queued is not an error)";
  EXPECT_FALSE(second->inserted);
  EXPECT_EQ(second->message.id, first->message.id);
  EXPECT_EQ(second->message.subject, "Reminder") << "the message already there, unchanged";
  EXPECT_EQ(audit_count(), entries) << "nothing written the second time";
  m.dedupe_key = "reminder:appointment:13";
  auto other = clinic_->queue_message(by("2026-11-24T11:00:00Z"), m);
  ASSERT_TRUE(other);
  EXPECT_TRUE(other->inserted);
  EXPECT_NE(other->message.id, first->message.id);
  m.dedupe_key.clear();
  auto keyless1 = clinic_->queue_message(by("2026-11-24T11:00:00Z"), m);
  auto keyless2 = clinic_->queue_message(by("2026-11-24T11:00:00Z"), m);
  ASSERT_TRUE(keyless1 && keyless2);
  EXPECT_TRUE(keyless1->inserted && keyless2->inserted) << "no key: every message is queued";
  // The plain insert refuses a key already present (the table's UNIQUE).
  auto dup = message("C-1", "Duplicate");
  dup.created_at = at("2026-11-24T12:00:00Z");
  dup.dedupe_key = "reminder:appointment:12";
  EXPECT_FALSE(store_->insert_message(by("2026-11-24T12:00:00Z"), dup));
  auto all = clinic_->outbox(true);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 4u);
  expect_audit_ok();
}

TEST_P(Outbox, TheAddressIsTheClientsAtQueueTimeOrTheMessageIsWithheld) {
  add_client_with_email("C-1", "ana@example.org");
  add_client("C-2");  // no email
  auto to_ana = clinic_->queue_message(by("2026-11-24T10:00:00Z"), message("C-1", "For Ana"));
  ASSERT_TRUE(to_ana) << to_ana.error().describe();
  EXPECT_EQ(to_ana->message.recipient, "ana@example.org");
  EXPECT_EQ(to_ana->message.state, ns::MessageState::queued);
  EXPECT_EQ(to_ana->message.created_at, at("2026-11-24T10:00:00Z"));
  auto to_c2 = clinic_->queue_message(by("2026-11-24T10:00:00Z"), message("C-2", "For C-2"));
  ASSERT_TRUE(to_c2) << to_c2.error().describe();
  EXPECT_EQ(to_c2->message.recipient, "");
  EXPECT_EQ(to_c2->message.state, ns::MessageState::withheld);
  EXPECT_EQ(to_c2->message.last_error, "the client has no email address");

  auto bad_kind = message("C-1", "x");
  bad_kind.kind = "newsletter";
  auto refused = clinic_->queue_message(by("2026-11-24T10:00:00Z"), bad_kind);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::invalid_value);
  EXPECT_EQ(refused.error().where, "kind");
  auto nobody = clinic_->queue_message(by("2026-11-24T10:00:00Z"), message("C-404", "x"));
  ASSERT_FALSE(nobody);
  EXPECT_EQ(nobody.error().code, ErrorCode::not_found);

  // A withheld message can still be handed over by hand.
  auto handed = clinic_->mark_sent(by("2026-11-24T10:30:00Z"), to_c2->message.id);
  ASSERT_TRUE(handed) << handed.error().describe();
  EXPECT_EQ(handed->state, ns::MessageState::sent);
  expect_audit_ok();
}

TEST_P(Outbox, FinishingASessionAddressesItsAftercareToTheClient) {
  ready_client("C-1");
  ns::ClientChanges email;
  email.email = "c1@example.org";
  ASSERT_TRUE(clinic_->update_client(by("2026-11-23T10:00:00Z"), "C-1", email));
  ASSERT_TRUE(
      clinic_->record_message_consent(by("2026-11-23T10:00:00Z"), "C-1", true, ns::ConsentVia::clinic));
  const auto r = assigned_roller("C-1", "LOT-A", "1");
  session("C-1", r, "2026-11-24T10:00:00Z", "2026-11-24T10:40:00Z");
  ready_client("C-2");
  const auto r2 = assigned_roller("C-2", "LOT-A", "2");
  session("C-2", r2, "2026-11-24T11:00:00Z", "2026-11-24T11:40:00Z");
  auto all = clinic_->outbox(true);
  ASSERT_TRUE(all) << all.error().describe();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].kind, "aftercare");
  EXPECT_EQ((*all)[0].recipient, "c1@example.org");
  EXPECT_EQ((*all)[0].state, ns::MessageState::queued);
  EXPECT_EQ((*all)[1].state, ns::MessageState::withheld);
  EXPECT_EQ((*all)[1].last_error, "the client has no email address");
}

TEST_P(Outbox, TheDueQueryPicksQueuedAddressedMessagesWhoseTimeHasCome) {
  add_client_with_email("C-1", "ana@example.org");
  add_client("C-2");
  auto now = clinic_->queue_message(by("2026-11-24T10:00:00Z"), message("C-1", "Now"));
  auto later_msg = message("C-1", "Later");
  later_msg.next_attempt_at = at("2026-11-25T10:00:00Z");
  auto later = clinic_->queue_message(by("2026-11-24T10:01:00Z"), later_msg);
  auto withheld = clinic_->queue_message(by("2026-11-24T10:02:00Z"), message("C-2", "Withheld"));
  auto second = clinic_->queue_message(by("2026-11-24T10:03:00Z"), message("C-1", "Second"));
  ASSERT_TRUE(now && later && withheld && second);

  auto due = store_->due_messages(at("2026-11-24T12:00:00Z"), 10);
  ASSERT_TRUE(due) << due.error().describe();
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].id, now->message.id) << "oldest first";
  EXPECT_EQ((*due)[1].id, second->message.id);
  auto one = store_->due_messages(at("2026-11-24T12:00:00Z"), 1);
  ASSERT_TRUE(one);
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].id, now->message.id);
  auto next_day = store_->due_messages(at("2026-11-25T10:00:00Z"), 10);
  ASSERT_TRUE(next_day);
  EXPECT_EQ(next_day->size(), 3u) << "a message queued for later is due at its time";
  ASSERT_TRUE(clinic_->mark_sent(by("2026-11-24T12:00:00Z"), now->message.id));
  auto after = store_->due_messages(at("2026-11-24T12:00:00Z"), 10);
  ASSERT_TRUE(after);
  ASSERT_EQ(after->size(), 1u) << "a sent message is not due";
}

}  // namespace
