// The outbox's delivery rules (delivery.hpp): pure functions of a message and an attempt.

#include "needlework/store/delivery.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace needlework::store {

std::chrono::seconds retry_delay(int attempts, const RetryPolicy& policy) {
  if (attempts < 1) attempts = 1;
  // base·2^(attempts−1), computed in double so a large count cannot overflow, then capped.
  const double wait = static_cast<double>(policy.base.count()) * std::pow(2.0, attempts - 1);
  const double cap = static_cast<double>(policy.cap.count());
  return std::chrono::seconds{static_cast<std::int64_t>(std::min(wait, cap))};
}

OutboxMessage after_attempt(OutboxMessage m, const Attempt& attempt, DateTime now, const RetryPolicy& policy,
                            double jitter) {
  ++m.attempts;
  switch (attempt.result) {
    case AttemptResult::accepted:
      m.state = MessageState::sent;
      m.sent_at = now;
      m.sent_by = "mail";
      m.next_attempt_at.reset();
      m.last_error.clear();
      break;
    case AttemptResult::permanent:
      m.state = MessageState::failed;
      m.next_attempt_at.reset();
      m.last_error = attempt.answer;
      break;
    case AttemptResult::temporary: {
      m.last_error = attempt.answer;
      if (m.attempts >= policy.max_attempts) {
        m.state = MessageState::failed;
        m.next_attempt_at.reset();
        break;
      }
      m.state = MessageState::queued;
      const double scale = 1.0 + 0.2 * std::clamp(jitter, -1.0, 1.0);
      const auto wait = std::chrono::seconds{static_cast<std::int64_t>(
          std::llround(static_cast<double>(retry_delay(m.attempts, policy).count()) * scale))};
      m.next_attempt_at = now + std::max(wait, std::chrono::seconds{1});
      break;
    }
  }
  return m;
}

std::string domain_of(std::string_view address) {
  const auto at = address.rfind('@');
  if (at == std::string_view::npos) return "localhost";
  auto domain = address.substr(at + 1);
  const auto end = domain.find_first_of("> \t");
  if (end != std::string_view::npos) domain = domain.substr(0, end);
  if (domain.empty()) return "localhost";
  return std::string(domain);
}

std::string message_id_for(const OutboxMessage& m, std::string_view domain) {
  const auto day = std::chrono::floor<std::chrono::days>(m.created_at);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::seconds>(m.created_at - day)};
  return fmt::format("<outbox.{}.{:04}{:02}{:02}T{:02}{:02}{:02}@{}>", m.id, static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count(), domain);
}

bool due_at(const OutboxMessage& m, DateTime now) {
  return m.state == MessageState::queued && !m.recipient.empty() &&
         (!m.next_attempt_at || *m.next_attempt_at <= now);
}

}  // namespace needlework::store
