#pragma once
/// The delivery worker (docs/mail.md): takes the outbox's due messages oldest first, claims each (so a second
/// worker on the same database leaves it alone), sends it with the Mailer, and records the relay's answer —
/// every state change an audited write through ClinicStore. `needlework serve` runs it on a thread;
/// `needlework outbox send` runs one round and exits.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "needlework/mail/mailer.hpp"
#include "needlework/store/clinic_store.hpp"

namespace needlework::mail {

/// What one round did.
struct RoundReport {
  int sent = 0;             ///< accepted by the relay
  int failed = 0;           ///< failed now (a 5xx, or the last attempt)
  int retrying = 0;         ///< a temporary failure, queued for a later attempt
  int skipped = 0;          ///< claimed meanwhile by another worker
  bool relay_down = false;  ///< the relay could not be reached: the round stopped
  /// Messages still queued with a recipient after the round (due now or later).
  std::int64_t left = 0;
};

/// How long a claimed message is held by the worker that claimed it: longer than a send can take (the
/// mailer's timeout), so another worker never takes it mid-send; a worker that dies holding it frees it after
/// this.
inline constexpr std::chrono::minutes claim_lease{10};

class DeliveryWorker {
 public:
  using Clock = std::function<units::DateTime()>;
  /// Logs one line (a sent or failed message, a relay down); may be empty.
  using Log = std::function<void(const std::string&)>;

  /// `clinic` and `mailer` must outlive the worker and are used by its thread only (once `start`ed).
  DeliveryWorker(store::ClinicStore& clinic, const Mailer& mailer, Clock clock, Log log = {});
  ~DeliveryWorker();
  DeliveryWorker(const DeliveryWorker&) = delete;
  DeliveryWorker& operator=(const DeliveryWorker&) = delete;

  /// One round: at most `limit` due messages, each claimed, sent and recorded; stops early when the relay
  /// cannot be reached. A store error ends the round with that error.
  Result<RoundReport> run_round(std::int64_t limit);

  /// Runs rounds on a thread until `stop`: after a round that sent something it goes again at once, else it
  /// sleeps the config's `poll` or until `wake`.
  void start();
  /// Ends the next sleep early (a message was queued).
  void wake();
  /// Stops the thread (a send in progress finishes first, bounded by the mailer's timeout) and joins it.
  void stop();

 private:
  void loop();

  store::ClinicStore& clinic_;
  const Mailer& mailer_;
  Clock clock_;
  Log log_;
  std::mt19937_64 random_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mutex_
  bool woken_ = false;     // guarded by mutex_
  std::thread thread_;
};

}  // namespace needlework::mail
