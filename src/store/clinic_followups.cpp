// ClinicStore: the outbox, follow-ups, escalations and what is due.
// Part of ClinicStore (clinic_store.hpp): each operation reads what it needs and writes inside one store
// transaction, so a rule checked is still true when the write commits.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "clinic_detail.hpp"
#include "needlework/clinic/constants.hpp"
#include "needlework/clinic/json.hpp"
#include "needlework/store/clinic_store.hpp"
#include "needlework/store/json.hpp"
#include "needlework/units/text.hpp"

namespace needlework::store {

using namespace detail;
using nlohmann::json;

Result<MessageQueued> ClinicStore::queue_message(const Actor& by, OutboxMessage m) {
  if (std::find(std::begin(message_kinds), std::end(message_kinds), m.kind) == std::end(message_kinds)) {
    return fail(
        ErrorCode::invalid_value,
        fmt::format("'{}' is not a kind of message (one of {})", m.kind, fmt::join(message_kinds, ", ")),
        "kind");
  }
  return store_.transaction_returning<MessageQueued>([&]() -> Result<MessageQueued> {
    NW_TRY(client, store_.find_client(m.client_id));
    if (!client) return fail(ErrorCode::not_found, fmt::format("no client '{}'", m.client_id), "client");
    m.id = 0;
    m.created_at = by.at;
    m.sent_at.reset();
    m.sent_by.clear();
    m.attempts = 0;
    m.message_id.clear();
    // The address is the client's at queue time: a later change of email does not redirect it.
    m.recipient = client->email;
    if (m.recipient.empty()) {
      m.state = MessageState::withheld;
      m.last_error = "the client has no email address";
    } else {
      m.state = MessageState::queued;
      m.last_error.clear();
    }
    return store_.insert_message_once(by, m);
  });
}

Result<std::vector<OutboxMessage>> ClinicStore::outbox(bool all) { return store_.messages(all); }

Result<std::vector<OutboxMessage>> ClinicStore::outbox_in(MessageState state) {
  return store_.messages_in(state);
}

Result<OutboxMessage> ClinicStore::mark_sent(const Actor& by, Id message_id) {
  return store_.transaction_returning<OutboxMessage>([&]() -> Result<OutboxMessage> {
    NW_TRY(found, store_.find_message(message_id));
    if (!found)
      return fail(ErrorCode::not_found, fmt::format("no message {} in the outbox", message_id), "message");
    OutboxMessage m = *found;
    if (m.sent_at) {
      return fail(
          ErrorCode::invalid_value,
          fmt::format("message {} was already sent at {} by {}", m.id, fmt_time(*m.sent_at), m.sent_by),
          "message");
    }
    if (by.at < m.created_at)
      return fail(ErrorCode::out_of_range, "a message cannot be sent before it was queued", "at");
    m.sent_at = by.at;
    m.sent_by = by.name;
    m.state = MessageState::sent;
    NW_CHECK(store_.update_message(by, m));
    return m;
  });
}

std::chrono::hours ClinicStore::followup_due_after() const {
  std::optional<std::chrono::hours> first;
  for (const auto& f : pack_.followups) {
    if (f.triage == knowledge::Triage::see_doctor && f.from && (!first || *f.from < *first)) first = f.from;
  }
  return first.value_or(clinic::followup_window_fallback);
}

Result<RecordedFollowup> ClinicStore::record_followup(const Actor& by, Id session_id,
                                                      const std::vector<std::string>& observations) {
  for (std::size_t i = 0; i < observations.size(); ++i) {
    if (pack_.find_observation(observations[i]) == nullptr) {
      std::vector<std::string> ids;
      for (const auto& o : pack_.observations) ids.push_back(o.id);
      return fail(ErrorCode::unknown_id,
                  fmt::format("'{}' is not an observation of pack {} (one of: {})", observations[i],
                              pack_.label(), fmt::join(ids, ", ")),
                  fmt::format("observations[{}]", i));
    }
  }
  return store_.transaction_returning<RecordedFollowup>([&]() -> Result<RecordedFollowup> {
    NW_TRY(s, require_session(session_id));
    if (!s.finished_at) {
      return refuse(
          std::string(refusals::session_unfinished),
          fmt::format("session {} has not finished; finish the session before recording a follow-up", s.id),
          "session");
    }
    if (by.at < *s.finished_at) {
      return fail(
          ErrorCode::out_of_range,
          fmt::format("{} is before the session ended ({})", fmt_time(by.at), fmt_time(*s.finished_at)),
          "at");
    }
    clinic::FollowupInput in;
    in.since_session = std::chrono::duration_cast<std::chrono::minutes>(by.at - *s.finished_at);
    in.observations = observations;
    RecordedFollowup out;
    out.result = clinic::followup(in, pack_);
    FollowupRecord f;
    f.session_id = s.id;
    f.observed_at = by.at;
    f.observations = observations;
    f.triage = out.result.triage;
    f.result_json = canonical(clinic::to_json(out.result));
    f.pack = pack_.label();
    NW_TRY(saved, store_.insert_followup(by, f));
    out.followup = saved;
    if (out.result.triage == knowledge::Triage::see_doctor) {
      std::vector<std::string> why;
      for (std::size_t i = 0; i < out.result.reasons.size(); ++i) {
        if (out.result.triages[i] == knowledge::Triage::see_doctor) {
          const auto& r = out.result.reasons[i];
          why.push_back(fmt::format("{} [{} · {}]", r.message, r.rule, r.source));
        }
      }
      EscalationRecord e;
      e.session_id = s.id;
      e.followup_id = saved.id;
      e.client_id = s.client_id;
      e.opened_at = by.at;
      e.reason = fmt::format("{}", fmt::join(why, "; "));
      NW_TRY(esc, store_.insert_escalation(by, e));
      out.escalation = esc;
    }
    return out;
  });
}

Result<EscalationRecord> ClinicStore::close_escalation(const Actor& by, Id escalation_id,
                                                       std::string given_note) {
  auto note = units::clean_text(given_note, "note", max_note_bytes, units::TextShape::note);
  if (!note) {
    auto e = note.error();
    if (given_note.find_first_not_of(" \t\n\r") == std::string::npos)
      e.message = "say what was done (the note must not be empty)";
    return std::unexpected(e);
  }
  return store_.transaction_returning<EscalationRecord>([&]() -> Result<EscalationRecord> {
    NW_TRY(found, store_.find_escalation(escalation_id));
    if (!found)
      return fail(ErrorCode::not_found, fmt::format("no escalation {}", escalation_id), "escalation");
    // Closing says a person dealt with a see-a-doctor finding: it must be a registered staff user.
    NW_TRY(users, store_.users());
    if (std::none_of(users.begin(), users.end(), [&](const auto& u) { return u.name == by.name; })) {
      return fail(ErrorCode::not_found,
                  fmt::format("'{}' is not a registered user; an escalation is closed by staff (add one with "
                              "`needlework users add {} --role practitioner`)",
                              by.name, by.name.empty() ? "NAME" : by.name),
                  "actor");
    }
    EscalationRecord e = *found;
    if (!e.open()) {
      return fail(ErrorCode::invalid_value,
                  fmt::format("escalation {} was already closed by {} at {}", e.id, e.closed_by,
                              fmt_time(*e.closed_at)),
                  "escalation");
    }
    if (by.at < e.opened_at) {
      return fail(ErrorCode::out_of_range, "an escalation cannot be closed before it was opened", "at");
    }
    e.closed_at = by.at;
    e.closed_by = by.name;
    e.close_note = std::move(*note);
    NW_CHECK(store_.update_escalation(by, e));
    return e;
  });
}

Result<std::vector<DueItem>> ClinicStore::due(DateTime now) {
  std::vector<DueItem> out;
  const DateTime end_of_day = std::chrono::floor<std::chrono::days>(now) + std::chrono::days{1};
  const auto after = followup_due_after();
  // A session stays due until a follow-up at or after the window's start is recorded: an earlier check (2 h
  // after, say) is kept and triaged, but is not the check the window asks for (S14).
  NW_TRY(sessions, store_.finished_sessions_without_followup(after));
  for (const auto& s : sessions) {
    const DateTime due_at = *s.finished_at + after;
    if (due_at >= end_of_day) continue;
    out.push_back(DueItem{DueKind::followup, s.client_id, s.id, 0, due_at, due_at < now,
                          fmt::format("follow-up of session {} ({}, ended {}), due {} h after it", s.id,
                                      s.area, fmt_time(*s.finished_at), after.count())});
  }
  NW_TRY(escalations, store_.open_escalations());
  for (const auto& e : escalations) {
    out.push_back(DueItem{DueKind::escalation, e.client_id, e.session_id, e.id, e.opened_at,
                          e.opened_at <= now, fmt::format("open escalation {}: {}", e.id, e.reason)});
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.due_at < b.due_at; });
  return out;
}

}  // namespace needlework::store
