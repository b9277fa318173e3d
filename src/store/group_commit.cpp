// Group commit (group_commit.hpp): one writer thread, one transaction per batch, one savepoint per write; a
// second thread resolves committed batches so the writer goes straight on to the next.

#include "needlework/store/group_commit.hpp"

#include <algorithm>

namespace needlework::store {

GroupCommitter::GroupCommitter(Store& store, GroupCommitOptions options) : store_(store), options_(options) {
  start();
}

GroupCommitter::GroupCommitter(Store& store, ClinicStore& clinic, GroupCommitOptions options)
    : store_(store), clinic_(&clinic), options_(options) {
  start();
}

GroupCommitter::~GroupCommitter() { close(); }

void GroupCommitter::start() {
  options_.max_batch = std::max<std::size_t>(options_.max_batch, 1);
  acknowledger_ = std::thread([this] { acknowledger_loop(); });
  acknowledger_id_ = acknowledger_.get_id();
  writer_ = std::thread([this] { writer_loop(); });
  writer_id_ = writer_.get_id();
}

Error GroupCommitter::closed_error() {
  return Error{ErrorCode::io_error, "the group committer is closed; the write was not run", {}};
}

void GroupCommitter::enqueue(std::unique_ptr<Task> task) {
  {
    std::lock_guard lock(mutex_);
    if (!closing_) {
      queue_.push_back(std::move(task));
      wake_.notify_one();
      return;
    }
  }
  const Error closed = closed_error();
  task->settle(&closed);
}

void GroupCommitter::close() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  wake_.notify_all();
  const auto self = std::this_thread::get_id();
  if (self == writer_id_ || self == acknowledger_id_) return;  // from a callback: the loops end by themselves
  std::lock_guard lock(join_mutex_);
  // The writer first: its last batch's outcome reaches the acknowledger before that is told to stop.
  if (writer_.joinable()) writer_.join();
  if (acknowledger_.joinable()) acknowledger_.join();
}

GroupCommitStats GroupCommitter::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void GroupCommitter::writer_loop() {
  for (;;) {
    std::deque<std::unique_ptr<Task>> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return !queue_.empty() || closing_; });
      if (queue_.empty()) break;  // closing, and everything is written
      // Everything queued while the previous batch waited for the disk, up to the limit.
      const std::size_t n = std::min(queue_.size(), options_.max_batch);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    Outcome outcome = run_batch(std::move(batch));
    {
      std::lock_guard lock(ack_mutex_);
      outcomes_.push_back(std::move(outcome));
    }
    ack_wake_.notify_one();
  }
  {
    std::lock_guard lock(ack_mutex_);
    writer_done_ = true;
  }
  ack_wake_.notify_one();
}

void GroupCommitter::acknowledger_loop() {
  for (;;) {
    std::deque<Outcome> ready;
    {
      std::unique_lock lock(ack_mutex_);
      ack_wake_.wait(lock, [&] { return !outcomes_.empty() || writer_done_; });
      if (outcomes_.empty()) return;  // the writer has stopped and everything is resolved
      ready.swap(outcomes_);
    }
    // Batches in the order they committed, writes in the order they ran.
    for (auto& o : ready) {
      for (std::size_t i = 0; i < o.tasks.size(); ++i) {
        if (o.batch_error) {
          o.tasks[i]->settle(&*o.batch_error);
        } else {
          o.tasks[i]->settle(o.lost[i] ? &*o.lost[i] : nullptr);
        }
      }
    }
  }
}

GroupCommitter::Outcome GroupCommitter::run_batch(std::deque<std::unique_ptr<Task>> batch) {
  Outcome out;
  out.tasks = std::move(batch);
  // Per write: the error of its savepoint when the savepoint itself failed although the write succeeded
  // (its changes are then not in the transaction, so it must not be acknowledged).
  out.lost.resize(out.tasks.size());
  Result<void> committed;
  try {
    committed = store_.transaction([&]() -> Result<void> {
      for (std::size_t i = 0; i < out.tasks.size(); ++i) {
        bool own_ok = false;
        auto sp = store_.transaction([&]() -> Result<void> {
          auto r = out.tasks[i]->run(store_, clinic_);
          own_ok = r.has_value();
          return r;
        });
        if (!sp && own_ok) out.lost[i] = sp.error();
      }
      return {};
    });
  } catch (const std::exception& e) {
    committed = fail(ErrorCode::io_error, std::string("the batch's transaction failed: ") + e.what());
  }
  if (!committed) out.batch_error = committed.error();
  std::lock_guard lock(mutex_);
  ++stats_.batches;
  stats_.writes += static_cast<std::int64_t>(out.tasks.size());
  stats_.largest_batch = std::max(stats_.largest_batch, static_cast<std::int64_t>(out.tasks.size()));
  if (!committed) ++stats_.failed_commits;
  return out;
}

}  // namespace needlework::store
