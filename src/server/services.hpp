#pragma once
// What the route handlers work with (private to the server module): the configuration, the pack and physics
// data loaded once, the writer (one Store connection owned by the group committer's thread) and a pool of
// read connections (one per concurrent reader), and the two ways a handler touches the store — `write`
// (through the group committer: answered once the batch holding it is durable) and `read` (on the calling
// HTTP thread, in a connection leased from the pool).

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "needlework/knowledge/pack.hpp"
#include "needlework/mail/worker.hpp"
#include "needlework/physics/device.hpp"
#include "needlework/physics/resealing.hpp"
#include "needlework/physics/skin.hpp"
#include "needlework/server/api.hpp"
#include "needlework/server/config.hpp"
#include "needlework/server/credentials.hpp"
#include "needlework/store/clinic_store.hpp"
#include "needlework/store/group_commit.hpp"

namespace needlework::server {

/// A read connection and the clinic rules over it, leased to one thread at a time.
struct ReadConnection {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::ClinicStore> clinic;
};

class Services {
 public:
  /// Loads the pack and physics data from the configuration's data folder, opens the writer connection (which
  /// applies migrations) and starts the group committer. Errors name the setting at fault.
  static Result<std::shared_ptr<Services>> open(const ServerConfig& config);
  ~Services();
  Services(const Services&) = delete;
  Services& operator=(const Services&) = delete;

  /// Runs `f(ClinicStore&)` (returning `Result<Response>`) on the writer thread inside a group commit, and
  /// replies once the batch is committed: `f`'s response, or the error as its response. A committed clinic
  /// write may have queued a message (aftercare, a sign-in link): the mail worker is woken to send it now
  /// rather than at its next poll.
  template <class F>
  void write(Reply reply, F&& f) {
    committer_->submit(std::forward<F>(f), [this, reply = std::move(reply)](Result<Response> r) {
      if (r) committed();
      reply(r ? std::move(*r) : error_response(r.error()));
    });
  }
  /// The same for a write on the bare Store (staff logins, which are not clinic rules).
  template <class F>
  void write_store(Reply reply, F&& f) {
    committer_->submit([f = std::forward<F>(f)](store::Store& s) mutable -> Result<Response> { return f(s); },
                       [reply = std::move(reply)](Result<Response> r) {
                         reply(r ? std::move(*r) : error_response(r.error()));
                       });
  }
  /// A write nobody waits for (a session's last-seen time): its failure is only logged.
  template <class F>
  void write_quietly(F&& f) {
    committer_->submit(
        [f = std::forward<F>(f)](store::Store& s) mutable -> Result<bool> {
          NW_CHECK(f(s));
          return true;
        },
        [](Result<bool>) {});
  }

  /// Runs `f(ReadConnection&)` (returning `Result<T>`) on this thread with a leased read connection. A
  /// connection whose read failed with `io_error` (a lost server) is closed instead of returned.
  template <class F>
  auto read(F&& f) -> decltype(f(std::declval<ReadConnection&>())) {
    auto lease = acquire();
    if (!lease) return std::unexpected(lease.error());
    auto r = f(**lease);
    release(std::move(*lease), !r && r.error().code == ErrorCode::io_error);
    return r;
  }

  /// Stops the mail worker (when it runs), then stops taking writes and writes everything queued (SIGTERM's
  /// last step before the store closes).
  void close_writer();
  /// After a committed clinic write: wakes the mail worker, when there is one (docs/mail.md).
  void committed();

  [[nodiscard]] const ServerConfig& config() const { return config_; }
  [[nodiscard]] const knowledge::Pack& pack() const { return pack_; }
  [[nodiscard]] const physics::RegionCatalog& regions() const { return regions_; }
  [[nodiscard]] const std::vector<physics::Device>& devices() const { return devices_; }
  [[nodiscard]] const physics::ResealingData& resealing() const { return resealing_; }
  [[nodiscard]] const PasswordPolicy& password_policy() const { return policy_; }
  [[nodiscard]] HashCost hash_cost() const {
    return config_.fast_password_hash ? HashCost::minimum : HashCost::interactive;
  }
  [[nodiscard]] const std::filesystem::path& data_dir() const { return data_dir_; }
  [[nodiscard]] const std::filesystem::path& photo_dir() const { return photo_dir_; }
  /// The JSON Schemas of the API's documents (data/api/schemas.json), for the OpenAPI document.
  [[nodiscard]] const nlohmann::json& schemas() const { return schemas_; }
  [[nodiscard]] store::ClinicPhysics physics() const { return {&regions_, &devices_, &resealing_}; }
  [[nodiscard]] store::GroupCommitStats commit_stats() const { return committer_->stats(); }

 private:
  Services() = default;
  Result<std::unique_ptr<ReadConnection>> acquire();
  void release(std::unique_ptr<ReadConnection> c, bool broken);

  ServerConfig config_;
  std::filesystem::path data_dir_;
  std::filesystem::path photo_dir_;
  knowledge::Pack pack_;
  physics::RegionCatalog regions_;
  std::vector<physics::Device> devices_;
  physics::ResealingData resealing_;
  CommonPasswords common_;
  nlohmann::json schemas_;
  PasswordPolicy policy_;
  std::unique_ptr<store::Store> writer_store_;
  std::unique_ptr<store::ClinicStore> writer_clinic_;
  std::unique_ptr<store::GroupCommitter> committer_;
  // The outbox's delivery (docs/mail.md), when smtp_host is set: its own connection, used by its thread only.
  std::unique_ptr<store::Store> mail_store_;
  std::unique_ptr<store::ClinicStore> mail_clinic_;
  std::unique_ptr<mail::Mailer> mailer_;
  std::unique_ptr<mail::DeliveryWorker> mail_worker_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<ReadConnection>> idle_;  // guarded by pool_mutex_
};

}  // namespace needlework::server
