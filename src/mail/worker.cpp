// The delivery worker (worker.hpp): claim, send, record — the rules of what follows an answer are
// ClinicStore's (record_attempt over store/delivery.hpp); this file only sends.

#include "needlework/mail/worker.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace needlework::mail {

DeliveryWorker::DeliveryWorker(store::ClinicStore& clinic, const Mailer& mailer, Clock clock, Log log)
    : clinic_(clinic),
      mailer_(mailer),
      clock_(std::move(clock)),
      log_(std::move(log)),
      random_(std::random_device{}()) {}

DeliveryWorker::~DeliveryWorker() { stop(); }

Result<RoundReport> DeliveryWorker::run_round(std::int64_t limit) {
  RoundReport report;
  const auto say = [&](const std::string& line) {
    if (log_) log_(line);
  };
  // What fell due since the last round (24-hour prompts, reminders) is queued first, then sent with the rest.
  NW_TRY(scheduled,
         clinic_.queue_due_messages(store::Actor{"mail", clock_()}, mailer_.config().reminder_lead));
  if (scheduled > 0)
    say(fmt::format("queued {} message{} that fell due", scheduled, scheduled == 1 ? "" : "s"));
  NW_TRY(due, clinic_.due_messages(clock_(), limit));
  const std::string domain = store::domain_of(mailer_.config().mail_from);
  const auto policy = mailer_.config().retry_policy();
  std::uniform_real_distribution<double> jitter(-1.0, 1.0);
  for (const auto& candidate : due) {
    // Claimed in its own audited write, only if still due: another worker may have taken it since the read.
    NW_TRY(claimed, clinic_.claim_message(store::Actor{"mail", clock_()}, candidate.id, claim_lease, domain));
    if (!claimed) {
      ++report.skipped;
      continue;
    }
    const SendReport sent = mailer_.send(*claimed, clock_());
    NW_TRY(after, clinic_.record_attempt(store::Actor{"mail", clock_()}, claimed->id, sent.attempt, policy,
                                         jitter(random_)));
    switch (after.state) {
      case store::MessageState::sent:
        ++report.sent;
        say(fmt::format("message {} sent to {} ({})", after.id, after.recipient, after.message_id));
        break;
      case store::MessageState::failed:
        ++report.failed;
        say(fmt::format("message {} failed after {} attempt(s): {}", after.id, after.attempts,
                        after.last_error));
        break;
      default:
        ++report.retrying;
        say(fmt::format("message {} not sent (attempt {}), next at {}: {}", after.id, after.attempts,
                        after.next_attempt_at ? units::format_date_time(*after.next_attempt_at) : "-",
                        after.last_error));
        break;
    }
    if (sent.unreachable) {
      // The relay is down: the other messages would only fail the same way and use up their attempts.
      report.relay_down = true;
      say(fmt::format("the mail relay cannot be reached: {}", sent.attempt.answer));
      break;
    }
  }
  NW_TRY(queued, clinic_.outbox_in(store::MessageState::queued));
  report.left =
      std::count_if(queued.begin(), queued.end(), [](const auto& m) { return !m.recipient.empty(); });
  return report;
}

void DeliveryWorker::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void DeliveryWorker::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  cv_.notify_all();
}

void DeliveryWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DeliveryWorker::loop() {
  // A batch at a time, so a long queue does not hold up stop() for long.
  constexpr std::int64_t batch = 20;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      woken_ = false;
    }
    auto round = run_round(batch);
    bool again = false;
    if (!round) {
      if (log_) log_(fmt::format("mail delivery round failed: {}", round.error().describe()));
    } else {
      again = !round->relay_down && (round->sent + round->failed + round->retrying) >= batch;
    }
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    if (again) continue;
    cv_.wait_for(lock, mailer_.config().poll, [&] { return stopping_ || woken_; });
  }
}

}  // namespace needlework::mail
