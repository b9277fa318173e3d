#pragma once
/// Group commit: many threads write through one store connection, and a write is acknowledged only after the
/// transaction holding it has committed — on SQLite with `synchronous=FULL` the WAL is fsync'd by then, on
/// PostgreSQL the commit record is flushed — so an acknowledged write survives a crash of the process or the
/// machine. A `GroupCommitter` owns one writer thread over one `Store` (and optionally a `ClinicStore` over
/// it). The writer takes every queued write (up to `max_batch`), runs the batch as ONE transaction with each
/// write in its own nested transaction (a savepoint: a write that fails is undone alone and the others
/// commit), commits once — one fsync for the whole batch — and then resolves every write of the batch. While
/// it waits for the disk, new writes queue up and form the next batch, so the batch size follows the load
/// with no timer: there is no sleeping and no busy waiting. A second thread resolves the writes of a
/// committed batch (waking the threads that wait for them) while the writer already runs the next batch, so
/// the writer's time goes to writing.
///
/// Writes run in the order they were submitted and are resolved in that order. The `Store` (and the
/// `ClinicStore`) belong to the writer thread while the committer lives: use them elsewhere only after
/// `close()`.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "needlework/store/clinic_store.hpp"
#include "needlework/store/store.hpp"
#include "needlework/units/error.hpp"

namespace needlework::store {

struct GroupCommitOptions {
  /// The most writes one transaction takes. A bigger batch amortises the fsync over more writes but makes
  /// every write of the batch wait for all of them.
  std::size_t max_batch = 512;
};

/// Counters since the committer started (read at any time, from any thread).
struct GroupCommitStats {
  std::int64_t batches = 0;         ///< transactions the writer ran (committed or not)
  std::int64_t writes = 0;          ///< writes run (refused ones included)
  std::int64_t failed_commits = 0;  ///< batches whose transaction did not commit
  std::int64_t largest_batch = 0;
};

namespace detail {
template <class R>
struct is_result : std::false_type {};
template <class T>
struct is_result<std::expected<T, Error>> : std::true_type {};

/// What a write returns: `Result<T>` of a callable taking `Store&` (preferred when both fit) or
/// `ClinicStore&`.
template <class F>
auto write_result_of() {
  if constexpr (std::is_invocable_v<F&, Store&>) {
    return std::type_identity<std::remove_cvref_t<std::invoke_result_t<F&, Store&>>>{};
  } else {
    static_assert(std::is_invocable_v<F&, ClinicStore&>,
                  "a write is a callable taking Store& or ClinicStore& and returning Result<T>");
    return std::type_identity<std::remove_cvref_t<std::invoke_result_t<F&, ClinicStore&>>>{};
  }
}
template <class F>
using write_result_t = typename decltype(write_result_of<F>())::type;
}  // namespace detail

class GroupCommitter {
 public:
  /// Starts the writer thread over `store`; writes take `Store&`.
  explicit GroupCommitter(Store& store, GroupCommitOptions options = {});
  /// The same, and writes may take `ClinicStore&` (`clinic` must work over `store`).
  GroupCommitter(Store& store, ClinicStore& clinic, GroupCommitOptions options = {});
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;
  /// `close()`: everything submitted is written and resolved first.
  ~GroupCommitter();

  /// Queues `write` (a callable taking `Store&` or `ClinicStore&` and returning `Result<T>`; it runs on the
  /// writer thread inside the batch's transaction) and returns a future that becomes ready after the batch
  /// committed: the write's own value, or its own error (its changes undone, the batch's other writes kept),
  /// or the commit's error when the batch did not commit (then none of its writes is kept). An exception
  /// thrown by `write` becomes an `io_error` of that write alone. After `close()` the future holds an
  /// `io_error` at once.
  template <class F>
  [[nodiscard]] std::future<detail::write_result_t<std::decay_t<F>>> submit(F&& write) {
    using R = detail::write_result_t<std::decay_t<F>>;
    std::promise<R> promise;
    auto future = promise.get_future();
    submit(std::forward<F>(write), [p = std::move(promise)](R r) mutable { p.set_value(std::move(r)); });
    return future;
  }

  /// As above, but `done(Result<T>)` is called instead, on the committer's acknowledging thread once the
  /// batch committed (or on the calling thread after `close()`). `done` must be quick (it holds up the writes
  /// resolved after it), must not throw, and must not wait for the result of another write of this committer
  /// (that is resolved on the same thread, after it).
  template <class F, class Done>
  void submit(F&& write, Done&& done) {
    using R = detail::write_result_t<std::decay_t<F>>;
    static_assert(detail::is_result<R>::value, "a write must return Result<T>");
    enqueue(std::make_unique<Job<std::decay_t<F>, std::decay_t<Done>, R>>(std::forward<F>(write),
                                                                          std::forward<Done>(done)));
  }

  /// Stops taking writes, writes and resolves everything already queued, and stops the committer's threads.
  /// Idempotent and thread-safe; called by the destructor. From a write or a `done` callback it only stops
  /// taking writes (a thread cannot wait for itself).
  void close();

  [[nodiscard]] GroupCommitStats stats() const;

 private:
  /// One queued write, its value kept until the batch's fate is known.
  class Task {
   public:
    virtual ~Task() = default;
    /// Runs the write (inside its savepoint); its own success or error.
    virtual Result<void> run(Store& store, ClinicStore* clinic) noexcept = 0;
    /// Resolves the write: `batch_error` is null when its changes are committed, else why they are not.
    virtual void settle(const Error* batch_error) noexcept = 0;
  };

  template <class F, class Done, class R>
  class Job final : public Task {
   public:
    template <class F2, class D2>
    Job(F2&& f, D2&& d) : write_(std::forward<F2>(f)), done_(std::forward<D2>(d)) {}

    Result<void> run(Store& store, ClinicStore* clinic) noexcept override {
      try {
        if constexpr (std::is_invocable_v<F&, Store&>) {
          out_.emplace(std::invoke(write_, store));
        } else if (clinic != nullptr) {
          out_.emplace(std::invoke(write_, *clinic));
        } else {
          out_.emplace(fail(ErrorCode::invalid_value,
                            "this write needs a ClinicStore; construct the GroupCommitter with one"));
        }
      } catch (const std::exception& e) {
        out_.emplace(fail(ErrorCode::io_error, std::string("the write threw: ") + e.what()));
      } catch (...) {
        out_.emplace(fail(ErrorCode::io_error, "the write threw"));
      }
      if (*out_) return {};
      return std::unexpected(out_->error());
    }

    void settle(const Error* batch_error) noexcept override {
      try {
        // A write that failed on its own keeps its own error; one that succeeded is reported only if kept.
        if (!out_) {
          out_.emplace(std::unexpected(batch_error != nullptr ? *batch_error : closed_error()));
        } else if (batch_error != nullptr && out_->has_value()) {
          out_.emplace(std::unexpected(*batch_error));
        }
        done_(std::move(*out_));
      } catch (...) {
        // `done` must not throw (documented); there is nobody to tell on the writer thread.
      }
    }

   private:
    F write_;
    Done done_;
    std::optional<R> out_;
  };

  /// A batch whose transaction has ended, waiting to be resolved.
  struct Outcome {
    std::deque<std::unique_ptr<Task>> tasks;
    std::optional<Error> batch_error;        ///< why none of it is kept, when the commit failed
    std::vector<std::optional<Error>> lost;  ///< per write: its savepoint's error, when only that failed
  };

  static Error closed_error();
  void start();
  void enqueue(std::unique_ptr<Task> task);
  void writer_loop();
  void acknowledger_loop();
  Outcome run_batch(std::deque<std::unique_ptr<Task>> batch);

  Store& store_;
  ClinicStore* clinic_ = nullptr;
  GroupCommitOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<Task>> queue_;  // guarded by mutex_
  bool closing_ = false;                     // guarded by mutex_
  GroupCommitStats stats_;                   // guarded by mutex_
  std::mutex ack_mutex_;
  std::condition_variable ack_wake_;
  std::deque<Outcome> outcomes_;  // guarded by ack_mutex_
  bool writer_done_ = false;      // guarded by ack_mutex_: no more outcomes will come
  std::mutex join_mutex_;
  std::thread writer_;  // started last, with acknowledger_; both joined by close()
  std::thread acknowledger_;
  std::thread::id writer_id_;  // set once in start(): close() compares without touching the threads
  std::thread::id acknowledger_id_;
};

}  // namespace needlework::store
