// ClinicStore: delivering the outbox (docs/mail.md) — what the mailer may try, claiming a message, recording
// the relay's answer by the rules of delivery.hpp, and a person's retry of a failed message. Each change is
// one audited write in its own transaction.

#include <fmt/format.h>

#include <cctype>
#include <string>
#include <string_view>

#include "clinic_detail.hpp"
#include "needlework/store/clinic_store.hpp"
#include "needlework/store/delivery.hpp"

namespace needlework::store {

using namespace detail;

namespace {

/// The message's text without the secret of a sign-in link (the token after "sign-in#token=", as the server
/// writes the link: routes_portal.cpp): once the link has left, the outbox keeps no usable copy of it — only
/// its hash is kept (portal_links), as ASVS V2.7.5 asks. Other links (an unsubscribe link) are left as they
/// are.
std::string without_sign_in_token(std::string text) {
  static constexpr std::string_view marker = "sign-in#token=";
  static constexpr std::string_view removed = "(removed once sent)";
  for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) {
    const auto start = at + marker.size();
    auto end = start;
    while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) != 0 ||
                                 text[end] == '-' || text[end] == '_')) {
      ++end;
    }
    text.replace(start, end - start, removed);
  }
  return text;
}

Result<OutboxMessage> require_message(Store& store, Id id) {
  NW_TRY(found, store.find_message(id));
  if (!found) return fail(ErrorCode::not_found, fmt::format("no message {} in the outbox", id), "message");
  return std::move(*found);
}

}  // namespace

Result<std::vector<OutboxMessage>> ClinicStore::due_messages(DateTime now, std::int64_t limit) {
  // The one place that decides which messages may leave now. (The client's consent to messages, when it is
  // recorded, is checked here.)
  return store_.due_messages(now, limit);
}

Result<std::optional<OutboxMessage>> ClinicStore::claim_message(const Actor& by, Id message_id,
                                                                std::chrono::seconds lease,
                                                                std::string_view domain) {
  return store_.transaction_returning<std::optional<OutboxMessage>>(
      [&]() -> Result<std::optional<OutboxMessage>> {
        NW_TRY(m, require_message(store_, message_id));
        // Read again inside the write transaction: another worker may have claimed or sent it since the list.
        if (!due_at(m, by.at)) return std::optional<OutboxMessage>();
        // No consent, no message, checked again as it leaves: a client may have unsubscribed since it was
        // queued (a sign-in link the client asked for is the exception, as at queue time).
        if (m.kind != "portal_link") {
          NW_TRY(consents, store_.message_consents_of(m.client_id));
          if (consents.empty() || !consents.back().agreed) {
            m.state = MessageState::withheld;
            m.next_attempt_at.reset();
            m.last_error = consents.empty()
                               ? std::string("the client has not agreed to messages")
                               : fmt::format("the client withdrew consent to messages on {}",
                                             units::format_date_time(consents.back().recorded_at));
            NW_CHECK(store_.update_message(by, m));
            return std::optional<OutboxMessage>();
          }
        }
        m.next_attempt_at = by.at + lease;
        // Fixed the first time and never changed: a retry after a crash carries the same Message-ID.
        if (m.message_id.empty()) m.message_id = message_id_for(m, domain);
        NW_CHECK(store_.update_message(by, m));
        return std::optional<OutboxMessage>(std::move(m));
      });
}

Result<OutboxMessage> ClinicStore::record_attempt(const Actor& by, Id message_id, const Attempt& attempt,
                                                  const RetryPolicy& policy, double jitter) {
  return store_.transaction_returning<OutboxMessage>([&]() -> Result<OutboxMessage> {
    NW_TRY(m, require_message(store_, message_id));
    if (m.state != MessageState::queued) {
      // Handed over by hand (or retried) while the mailer held it: what a person did stands.
      return m;
    }
    OutboxMessage after = after_attempt(m, attempt, by.at, policy, jitter);
    if (after.kind == "portal_link" && after.state == MessageState::sent) {
      after.body = without_sign_in_token(std::move(after.body));
      after.body_html = without_sign_in_token(std::move(after.body_html));
    }
    NW_CHECK(store_.update_message(by, after));
    return after;
  });
}

Result<OutboxMessage> ClinicStore::retry_message(const Actor& by, Id message_id) {
  return store_.transaction_returning<OutboxMessage>([&]() -> Result<OutboxMessage> {
    NW_TRY(m, require_message(store_, message_id));
    if (m.state != MessageState::failed) {
      return fail(ErrorCode::invalid_value,
                  fmt::format("message {} is {}, not failed: only a failed message is retried", m.id,
                              to_string(m.state)),
                  "message");
    }
    m.state = MessageState::queued;
    m.attempts = 0;
    m.next_attempt_at.reset();
    // last_error is kept: it says what went wrong before, until the next answer replaces it.
    NW_CHECK(store_.update_message(by, m));
    return m;
  });
}

}  // namespace needlework::store
