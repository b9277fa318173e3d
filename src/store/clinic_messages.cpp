// ClinicStore: the client's consent to messages and the unsubscribe link (docs/mail.md).

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <openssl/rand.h>

#include <array>

#include "clinic_detail.hpp"
#include "needlework/clinic/messages.hpp"
#include "needlework/store/clinic_store.hpp"
#include "needlework/units/ical.hpp"

namespace needlework::store {

using namespace detail;

namespace {

std::string client_time(DateTime t) {
  // Clients read this, so a weekday and a month name; UTC said, since the clinic's time zone is not known
  // to the store (docs/mail.md).
  return fmt::format("{:%A %d %B %Y, %H:%M} UTC", t);
}

std::string area_label(const knowledge::Pack& pack, std::string_view area) {
  const auto* a = pack.find_area(area);
  return a != nullptr ? a->label : std::string(area);
}

}  // namespace

Result<MessageConsentRecord> ClinicStore::record_message_consent(const Actor& by, std::string_view client_id,
                                                                 bool agreed, ConsentVia via) {
  return store_.transaction_returning<MessageConsentRecord>([&]() -> Result<MessageConsentRecord> {
    NW_CHECK(require_client(client_id));
    NW_TRY(consents, store_.message_consents_of(client_id));
    // Saying again what is in force writes nothing: the record keeps when it was first said.
    if (!consents.empty() && consents.back().agreed == agreed) return consents.back();
    MessageConsentRecord c;
    c.client_id = std::string(client_id);
    c.agreed = agreed;
    c.recorded_at = by.at;
    c.recorded_by = by.name;
    c.via = via;
    return store_.insert_message_consent(by, c);
  });
}

Result<std::optional<MessageConsentRecord>> ClinicStore::message_consent(std::string_view client_id) {
  NW_CHECK(require_client(client_id));
  NW_TRY(consents, store_.message_consents_of(client_id));
  if (consents.empty()) return std::optional<MessageConsentRecord>{};
  return std::optional<MessageConsentRecord>{consents.back()};
}

Result<MessageConsentRecord> ClinicStore::unsubscribe(const Actor& by, std::string_view token) {
  NW_TRY(client, store_.client_of_unsubscribe_token(token));
  if (!client) {
    return fail(ErrorCode::not_found, "this unsubscribe link is not known (it may be mistyped)", "token");
  }
  return record_message_consent(by, *client, false, ConsentVia::unsubscribe_link);
}

Result<std::string> ClinicStore::unsubscribe_token(std::string_view client_id, DateTime at) {
  NW_TRY(existing, store_.unsubscribe_token(client_id));
  if (existing) return *existing;
  // 128 random bits, as hex: unguessable, and the link only ever withdraws this client's consent.
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return fail(ErrorCode::io_error, "no random bytes for an unsubscribe link", "token");
  }
  std::string token;
  for (auto b : bytes) token += fmt::format("{:02x}", b);
  return store_.keep_unsubscribe_token(client_id, token, at);
}

void ClinicStore::set_public_url(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  public_url_ = std::move(url);
}

Result<MessageQueued> ClinicStore::queue_composed(const Actor& by, MessageRequest r) {
  return store_.transaction_returning<MessageQueued>([&]() -> Result<MessageQueued> {
    NW_TRY(client, require_client(r.client_id));
    NW_TRY(token, unsubscribe_token(r.client_id, by.at));
    r.fields["client"] = {client.name};
    r.fields["unsubscribe"] = {fmt::format("{}/unsubscribe#token={}", public_url_, token)};
    NW_TRY(composed, clinic::compose_message(pack_, r.kind, r.fields));
    OutboxMessage m;
    m.client_id = r.client_id;
    m.session_id = r.session_id;
    m.kind = std::string(knowledge::to_string(r.kind));
    m.subject = std::move(composed.subject);
    m.body = std::move(composed.text);
    m.body_html = std::move(composed.html);
    m.attachment_name = std::move(r.attachment_name);
    m.attachment_type = std::move(r.attachment_type);
    m.attachment = std::move(r.attachment);
    m.dedupe_key = std::move(r.dedupe_key);
    m.next_attempt_at = r.not_before;
    return queue_message(by, std::move(m));
  });
}

Result<void> ClinicStore::queue_session_messages(const Actor& by, const SessionRecord& s,
                                                 const clinic::AftercareSheet& sheet) {
  const auto date = client_time(s.started_at);
  const auto area = area_label(pack_, s.area);
  // The aftercare, with the next visit booked (if any) in the text and as a calendar attachment.
  MessageRequest aftercare;
  aftercare.client_id = s.client_id;
  aftercare.session_id = s.id;
  aftercare.kind = knowledge::MessageKind::aftercare;
  aftercare.fields["date"] = {date};
  aftercare.fields["area"] = {area};
  aftercare.fields["sheet"] = {clinic::render_text(sheet, pack_), clinic::render_html(sheet, pack_)};
  NW_TRY(appointments, store_.appointments_of(s.client_id));
  const AppointmentRecord* next = nullptr;
  for (const auto& a : appointments) {
    if (a.state == AppointmentState::booked && a.at > by.at && (next == nullptr || a.at < next->at))
      next = &a;
  }
  if (next != nullptr) {
    aftercare.fields["next_visit"] = {
        fmt::format("{} ({})", client_time(next->at), area_label(pack_, next->area))};
    NW_TRY(ics, visit_ics({*next}, by.at));
    aftercare.attachment_name = "next-visit.ics";
    aftercare.attachment_type = "text/calendar; charset=utf-8; method=PUBLISH";
    aftercare.attachment = std::move(ics);
  } else {
    NW_TRY(none, clinic::no_next_visit(pack_));
    aftercare.fields["next_visit"] = {std::move(none)};
  }
  aftercare.dedupe_key = fmt::format("aftercare:session:{}", s.id);
  NW_CHECK(queue_composed(by, std::move(aftercare)));

  return {};
}

Result<void> ClinicStore::queue_recall_notices(const Actor& by, const Recall& recall) {
  if (!recall.recall) return {};
  for (const auto& s : recall.sessions) {
    MessageRequest r;
    r.client_id = s.client_id;
    r.session_id = s.id;
    r.kind = knowledge::MessageKind::recall_notice;
    r.fields["lot"] = {recall.lot};
    r.fields["date"] = {client_time(s.started_at)};
    r.fields["area"] = {area_label(pack_, s.area)};
    r.fields["reason"] = {recall.recall->reason};
    r.dedupe_key = fmt::format("recall_notice:{}:session:{}", recall.lot, s.id);
    NW_CHECK(queue_composed(by, std::move(r)));
  }
  return {};
}

Result<int> ClinicStore::queue_due_messages(const Actor& by, std::chrono::minutes reminder_lead) {
  int queued = 0;
  // The 24-hour prompt: once the follow-up falls due (the session's end plus the pack's first see-a-doctor
  // time, S14) and while no follow-up has been recorded, with the address of the client pages where the
  // client reports what they see. A session whose follow-up fell due more than two days ago is left to the
  // clinic's own follow-up list (`due`): a prompt that late would not be a 24-hour check.
  const auto after = followup_due_after();
  NW_TRY(unchecked, store_.finished_sessions_without_followup(after));
  for (const auto& s : unchecked) {
    const DateTime due_at = *s.finished_at + after;
    if (due_at > by.at || by.at - due_at > std::chrono::hours{48}) continue;
    MessageRequest prompt;
    prompt.client_id = s.client_id;
    prompt.session_id = s.id;
    prompt.kind = knowledge::MessageKind::followup_prompt;
    prompt.fields["date"] = {client_time(s.started_at)};
    prompt.fields["area"] = {area_label(pack_, s.area)};
    prompt.fields["portal"] = {public_url_ + "/portal"};
    prompt.dedupe_key = fmt::format("followup_prompt:session:{}", s.id);
    NW_TRY(q, queue_composed(by, std::move(prompt)));
    if (q.inserted) ++queued;
  }
  NW_TRY(appointments, store_.appointments_between(by.at, by.at + reminder_lead));
  for (const auto& a : appointments) {
    if (a.state != AppointmentState::booked || a.at <= by.at) continue;
    MessageRequest r;
    r.client_id = a.client_id;
    r.kind = knowledge::MessageKind::reminder;
    r.fields["when"] = {client_time(a.at)};
    r.fields["area"] = {area_label(pack_, a.area)};
    r.fields["duration"] = {fmt::format("{} minutes", visit_length().count())};
    r.dedupe_key = fmt::format("reminder:appointment:{}:{}", a.id, units::format_date_time(a.at));
    NW_TRY(ics, visit_ics({a}, by.at));
    r.attachment_name = "visit.ics";
    r.attachment_type = "text/calendar; charset=utf-8; method=PUBLISH";
    r.attachment = std::move(ics);
    NW_TRY(q, queue_composed(by, std::move(r)));
    if (q.inserted) ++queued;
  }
  return queued;
}

std::chrono::minutes ClinicStore::visit_length() const {
  // A visit is as long as the pack's procedure: the sum of its steps' longest durations (S7).
  std::chrono::minutes total{0};
  for (const auto& s : pack_.steps) {
    if (s.duration) total += s.duration->hi;
  }
  return total > std::chrono::minutes{0} ? total : std::chrono::minutes{60};
}

Result<std::string> ClinicStore::visit_ics(const std::vector<AppointmentRecord>& visits,
                                           DateTime stamp) const {
  std::vector<units::IcsEvent> events;
  const auto host = [&] {
    auto h = public_url_;
    if (auto p = h.find("://"); p != std::string::npos) h.erase(0, p + 3);
    if (auto p = h.find_first_of(":/"); p != std::string::npos) h.erase(p);
    return h.empty() ? std::string("needlework") : h;
  }();
  for (const auto& a : visits) {
    units::IcsEvent e;
    e.uid = fmt::format("appointment-{}@{}", a.id, host);
    e.start = a.at;
    e.end = a.at + visit_length();
    NW_TRY(title, clinic::visit_title(pack_, area_label(pack_, a.area)));
    e.summary = std::move(title);
    e.cancelled = a.state == AppointmentState::cancelled;
    events.push_back(std::move(e));
  }
  return units::to_ics(events, stamp);
}

}  // namespace needlework::store
