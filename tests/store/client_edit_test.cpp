// A client's contact details and their edit (ClinicStore::update_client), the audit listing's filters
// (Store::audit_entries with an AuditFilter) and a photo's own area, on both backends: each change audited
// and verifying, each bad value refused naming its field with nothing written.

#include <functional>
#include <optional>
#include <set>

#include "store_fixture.hpp"

namespace {

using needlework::ErrorCode;

const std::string jpeg("\xFF\xD8\xFF\xE0 a tiny pretend JPEG body", 28);

class ClientEdit : public StoreTest {
 protected:
  /// The client as stored now.
  ns::ClientRecord stored(const std::string& id) {
    auto c = store_->find_client(id);
    EXPECT_TRUE(c && *c) << id;
    return c && *c ? **c : ns::ClientRecord{};
  }
  /// Expects `r` refused with `code`, naming `field`.
  template <class T>
  static void expect_field_error(const needlework::Result<T>& r, ErrorCode code, const std::string& field) {
    ASSERT_FALSE(r) << "expected a refusal naming " << field;
    EXPECT_EQ(r.error().code, code) << r.error().describe();
    EXPECT_EQ(r.error().where, field) << r.error().describe();
  }
};
NEEDLEWORK_INSTANTIATE_STORE_TESTS(ClientEdit);

TEST_P(ClientEdit, AClientIsAddedWithContactDetailsAndEditedWithOneAuditEntryThatVerifies) {
  ns::ClientRecord c;
  c.id = "C-1";
  c.name = "Ana Example";
  c.email = "  ana@example.org ";
  c.phone = "+44 20 7946 0958";
  auto added = clinic_->add_client(by("2026-11-20T09:00:00Z"), c);
  ASSERT_TRUE(added) << added.error().describe();
  EXPECT_EQ(added->email, "ana@example.org") << "stored trimmed";
  EXPECT_EQ(stored("C-1").phone, "+44 20 7946 0958");
  const auto before = audit_count();

  ns::ClientChanges ch;
  ch.name = "Ana Example-Smith";
  ch.date_of_birth = *nu::parse_date("1988-03-14");
  ch.phone = "(020) 7946 0000";
  auto edited = clinic_->update_client(by("2026-11-21T09:00:00Z", "rita"), "C-1", ch);
  ASSERT_TRUE(edited) << edited.error().describe();
  const auto now = stored("C-1");
  EXPECT_EQ(now.name, "Ana Example-Smith");
  EXPECT_EQ(now.date_of_birth, std::optional(*nu::parse_date("1988-03-14")));
  EXPECT_EQ(now.phone, "(020) 7946 0000");
  EXPECT_EQ(now.email, "ana@example.org") << "an email not in the change stays";
  EXPECT_EQ(now.created_at, at("2026-11-20T09:00:00Z")) << "the creation time never changes";

  // One entry: an update of the client by its actor, from the digest before to the digest after.
  auto log = store_->audit_log();
  ASSERT_TRUE(log);
  ASSERT_EQ(static_cast<std::int64_t>(log->size()), before + 1);
  const auto& e = log->back();
  EXPECT_EQ(e.action, "update");
  EXPECT_EQ(e.entity, "clients");
  EXPECT_EQ(e.entity_id, "C-1");
  EXPECT_EQ(e.actor, "rita");
  EXPECT_EQ(e.after_sha256, ns::sha256_hex(ns::canonical(ns::to_json(now))));
  EXPECT_NE(e.before_sha256, e.after_sha256);

  // Clearing the email: the record's JSON leaves it out again.
  ns::ClientChanges clear;
  clear.email = "";
  ASSERT_TRUE(clinic_->update_client(by("2026-11-22T09:00:00Z"), "C-1", clear));
  EXPECT_EQ(stored("C-1").email, "");
  EXPECT_FALSE(ns::to_json(stored("C-1")).contains("email"));

  reopen();
  auto check = store_->verify_audit();
  ASSERT_TRUE(check) << check.error().describe();
  EXPECT_TRUE(check->ok) << check->problem;
}

TEST_P(ClientEdit, AChangeThatChangesNothingWritesNothing) {
  add_client("C-1");
  const auto before = audit_count();
  ns::ClientChanges same;
  same.name = "Test C-1";
  auto r = clinic_->update_client(by("2026-11-21T09:00:00Z"), "C-1", same);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(audit_count(), before);
}

TEST_P(ClientEdit, BadValuesAreRefusedNamingTheFieldAndNothingChanges) {
  ns::ClientRecord c;
  c.id = "C-1";
  c.name = "Ana Example";
  c.email = "ana@example.org";
  c.phone = "020 7946 0958";
  ASSERT_TRUE(clinic_->add_client(by("2026-11-20T09:00:00Z"), c));
  const auto was = stored("C-1");
  const auto entries = audit_count();
  const auto when = by("2026-11-21T09:00:00Z");
  const auto edit = [&](auto set) {
    ns::ClientChanges ch;
    ch.phone = "+1 555 0100 99";  // a good change alongside: it must not be kept either
    set(ch);
    return clinic_->update_client(when, "C-1", ch);
  };
  for (const char* email : {"ana.example.org", "ana@@example.org", "ana@example", "@example.org",
                            "ana@example.", "ana @example.org"}) {
    SCOPED_TRACE(email);
    expect_field_error(edit([&](ns::ClientChanges& ch) { ch.email = email; }), ErrorCode::invalid_value,
                       "email");
  }
  // Longer than SMTP carries (254 bytes): out of range.
  expect_field_error(edit([](ns::ClientChanges& ch) { ch.email = std::string(250, 'a') + "@example.org"; }),
                     ErrorCode::out_of_range, "email");
  for (const char* phone : {"12345", "123456789012345678901", "020 7946 0958 ext. 12", "+44 20 7946 0958#"}) {
    SCOPED_TRACE(phone);
    expect_field_error(edit([&](ns::ClientChanges& ch) { ch.phone = phone; }), ErrorCode::invalid_value,
                       "phone");
  }
  expect_field_error(edit([](ns::ClientChanges& ch) { ch.name = "   "; }), ErrorCode::invalid_value, "name");
  expect_field_error(edit([](ns::ClientChanges& ch) { ch.date_of_birth = *nu::parse_date("2026-11-22"); }),
                     ErrorCode::out_of_range, "date_of_birth");
  expect_field_error(clinic_->update_client(when, "C-404", {}), ErrorCode::not_found, "client");

  // Adding applies the same one check.
  ns::ClientRecord bad = c;
  bad.id = "C-2";
  bad.email = "not-an-email";
  expect_field_error(clinic_->add_client(when, bad), ErrorCode::invalid_value, "email");
  bad.email = "";
  bad.phone = "call me";
  expect_field_error(clinic_->add_client(when, bad), ErrorCode::invalid_value, "phone");

  const auto now = stored("C-1");
  EXPECT_EQ(now.phone, was.phone);
  EXPECT_EQ(now.email, was.email);
  EXPECT_EQ(now.name, was.name);
  EXPECT_EQ(audit_count(), entries) << "a refused change writes no audit entry";
  auto found = store_->find_client("C-2");
  ASSERT_TRUE(found);
  EXPECT_FALSE(*found);
}

// ---- the audit listing's filters --------------------------------------------------------------------------

class AuditFilters : public ClientEdit {
 protected:
  /// Every seq the filter selects, read a page of `page` at a time through the cursor.
  std::vector<std::int64_t> seqs(const ns::AuditFilter& f, std::int64_t page = 2) {
    std::vector<std::int64_t> out;
    std::int64_t after = 0;
    for (;;) {
      auto r = store_->audit_entries(after, page, f);
      EXPECT_TRUE(r) << r.error().describe();
      if (!r) return out;
      for (const auto& e : *r) out.push_back(e.seq);
      if (static_cast<std::int64_t>(r->size()) < page) return out;
      after = r->back().seq;
    }
  }
  /// The seqs of the whole log that `keep` selects: what the store's filter must give.
  std::vector<std::int64_t> expected(const std::function<bool(const ns::AuditEntry&)>& keep) {
    std::vector<std::int64_t> out;
    auto log = store_->audit_log();
    EXPECT_TRUE(log);
    if (log) {
      for (const auto& e : *log)
        if (keep(e)) out.push_back(e.seq);
    }
    return out;
  }
};
NEEDLEWORK_INSTANTIATE_STORE_TESTS(AuditFilters);

TEST_P(AuditFilters, EachFilterSelectsInTheStoreAndPagesThroughTheCursor) {
  add_client("C-1", "2026-11-20T09:00:00Z");
  add_client("C-2", "2026-11-20T10:00:00Z");
  ASSERT_TRUE(clinic_->add_user(by("2026-11-20T11:00:00Z", "admin"), "bea", "practitioner"));
  ns::ClientChanges ch;
  ch.phone = "020 7946 0958";
  ASSERT_TRUE(clinic_->update_client(by("2026-11-21T09:00:00Z", "rita"), "C-1", ch));
  ch.phone = "020 7946 0959";
  ASSERT_TRUE(clinic_->update_client(by("2026-11-22T09:00:00Z", "rita"), "C-1", ch));
  ASSERT_TRUE(clinic_->update_client(by("2026-11-23T09:00:00Z", "ana"), "C-2", ch));

  ns::AuditFilter f;
  f.actor = "rita";
  auto by_rita = seqs(f);
  EXPECT_EQ(by_rita, expected([](const auto& e) { return e.actor == "rita"; }));
  EXPECT_EQ(by_rita.size(), 2u);

  f = {};
  f.table = "clients";
  EXPECT_EQ(seqs(f), expected([](const auto& e) { return e.entity == "clients"; }));
  EXPECT_EQ(seqs(f).size(), 5u);

  f = {};
  f.action = "update";
  EXPECT_EQ(seqs(f), expected([](const auto& e) { return e.action == "update"; }));

  f = {};
  f.table = "clients";
  f.record = "C-1";
  EXPECT_EQ(seqs(f), expected([](const auto& e) { return e.entity == "clients" && e.entity_id == "C-1"; }));
  EXPECT_EQ(seqs(f).size(), 3u);

  // from inclusive, to exclusive.
  f = {};
  f.from = at("2026-11-21T09:00:00Z");
  f.to = at("2026-11-23T09:00:00Z");
  EXPECT_EQ(seqs(f), expected([](const auto& e) {
              return e.at >= at("2026-11-21T09:00:00Z") && e.at < at("2026-11-23T09:00:00Z");
            }));
  EXPECT_EQ(seqs(f).size(), 2u);

  // Every condition at once; a page size of one walks the same entries.
  f.actor = "rita";
  f.table = "clients";
  f.action = "update";
  f.record = "C-1";
  EXPECT_EQ(seqs(f, 1), seqs(f, 100));
  EXPECT_EQ(seqs(f).size(), 2u);

  f = {};
  f.actor = "nobody";
  EXPECT_TRUE(seqs(f).empty());
  EXPECT_EQ(seqs({}), expected([](const auto&) { return true; })) << "no filter: the whole log";
}

// ---- a photo's own area ---------------------------------------------------------------------------------

TEST_P(ClientEdit, ABaselinePhotoKeepsItsOwnAreaAndAnUnknownAreaIsRefused) {
  add_client("C-1");
  const auto when = by("2026-11-23T09:00:00Z");
  ns::PhotoInput in{"C-1", std::nullopt, jpeg, "before", "cheek.jpg", "baseline at intake", "face"};
  auto p = clinic_->add_photo(when, in);
  ASSERT_TRUE(p) << p.error().describe();
  EXPECT_EQ(p->area, "face");
  auto listed = store_->photos_of("C-1");
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().area, "face");
  EXPECT_EQ(ns::to_json(listed->front()).value("area", ""), "face");

  // No area: none stored, and the JSON leaves it out (as every photo's of before).
  in.area = "";
  auto plain = clinic_->add_photo(when, in);
  ASSERT_TRUE(plain) << plain.error().describe();
  EXPECT_FALSE(ns::to_json(*plain).contains("area"));

  const auto entries = audit_count();
  in.area = "elbow";
  expect_field_error(clinic_->add_photo(when, in), ErrorCode::unknown_id, "area");
  EXPECT_EQ(audit_count(), entries);

  reopen();
  auto check = store_->verify_audit();
  ASSERT_TRUE(check) << check.error().describe();
  EXPECT_TRUE(check->ok) << check->problem;
}

}  // namespace
