#pragma once
/// The delivery rules of the outbox (docs/mail.md), pure: which state follows which answer of the mail relay,
/// when a message is tried again, and its Message-ID. ClinicStore applies them in audited writes
/// (`claim_message`, `record_attempt`); the mailer (src/mail/) only sends and reports what the relay said.

#include <chrono>
#include <string>
#include <string_view>

#include "needlework/store/records.hpp"

namespace needlework::store {

/// What the relay made of one attempt to send a message.
enum class AttemptResult {
  accepted,   ///< the relay accepted the DATA (2xx): the message is sent
  temporary,  ///< try again later: a 4xx answer, the relay unreachable, a timeout
  permanent,  ///< a 5xx answer: the relay will never take it
};

/// One attempt: its result and the relay's answer (its last reply line, or why it could not be reached).
struct Attempt {
  AttemptResult result = AttemptResult::temporary;
  std::string answer;
};

/// How a message is retried.
struct RetryPolicy {
  int max_attempts = 8;           ///< attempts before a message is `failed` (mail_max_attempts)
  std::chrono::seconds base{60};  ///< the wait after the first temporary failure (mail_retry_base_s)
  /// The longest wait between two attempts: the doubling stops here, so a relay down for a day is tried
  /// every 6 hours rather than days apart.
  std::chrono::seconds cap{std::chrono::hours{6}};
};

/// The message after an attempt at `now`: `accepted` → sent (sent_at now, sent_by "mail", no next
/// attempt); `permanent` → failed at once with the relay's answer; `temporary` → attempts + 1 and, while
/// fewer than `max_attempts`, queued again for now + base·2^(attempts−1) (at most `cap`), scaled by
/// 1 + 0.2·`jitter` (`jitter` in [−1, 1]: ±20 %, so messages that failed together do not all come back at
/// once); at `max_attempts`, failed with the answer. The attempts count every answered or failed try.
[[nodiscard]] OutboxMessage after_attempt(OutboxMessage m, const Attempt& attempt, DateTime now,
                                          const RetryPolicy& policy, double jitter);

/// The wait before attempt `attempts + 1` after `attempts` temporary failures, before jitter:
/// base·2^(attempts−1), at most `cap`.
[[nodiscard]] std::chrono::seconds retry_delay(int attempts, const RetryPolicy& policy);

/// The Message-ID of an outbox row, with its angle brackets: `<outbox.{id}.{created_at as
/// yyyymmddThhmmss}@{domain}>` — the same for every attempt, in every process, so a relay or a recipient
/// can tell a retry from a new message.
[[nodiscard]] std::string message_id_for(const OutboxMessage& m, std::string_view domain);

/// The domain of an address ("clinic.example" of "Clinic <front@clinic.example>"); "localhost" when it has
/// none.
[[nodiscard]] std::string domain_of(std::string_view address);

/// Whether the mailer may try `m` at `now`: queued, addressed, and its next attempt (if any) not after now.
[[nodiscard]] bool due_at(const OutboxMessage& m, DateTime now);

}  // namespace needlework::store
