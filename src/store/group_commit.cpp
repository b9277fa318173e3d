// Group commit (group_commit.hpp): one writer thread, one transaction per batch, one savepoint per write.

#include "needlework/store/group_commit.hpp"

#include <algorithm>

namespace needlework::store {

GroupCommitter::GroupCommitter(Store& store, GroupCommitOptions options) : store_(store), options_(options) {
  options_.max_batch = std::max<std::size_t>(options_.max_batch, 1);
  writer_ = std::thread([this] { writer_loop(); });
  writer_id_ = writer_.get_id();
}

GroupCommitter::GroupCommitter(Store& store, ClinicStore& clinic, GroupCommitOptions options)
    : store_(store), clinic_(&clinic), options_(options) {
  options_.max_batch = std::max<std::size_t>(options_.max_batch, 1);
  writer_ = std::thread([this] { writer_loop(); });
  writer_id_ = writer_.get_id();
}

GroupCommitter::~GroupCommitter() { close(); }

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
  if (std::this_thread::get_id() == writer_id_) return;  // from a callback: the loop ends by itself
  std::lock_guard lock(join_mutex_);
  if (writer_.joinable()) writer_.join();
}

GroupCommitStats GroupCommitter::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void GroupCommitter::writer_loop() {
  std::deque<std::unique_ptr<Task>> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;  // closing, and everything is written
      // Everything queued while the previous batch waited for the disk, up to the limit.
      const std::size_t n = std::min(queue_.size(), options_.max_batch);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    run_batch(batch);
    batch.clear();
  }
}

void GroupCommitter::run_batch(std::deque<std::unique_ptr<Task>>& batch) {
  // Per write: the error of its savepoint when the savepoint itself failed although the write succeeded
  // (its changes are then not in the transaction, so it must not be acknowledged).
  std::vector<std::optional<Error>> lost(batch.size());
  Result<void> committed;
  try {
    committed = store_.transaction([&]() -> Result<void> {
      for (std::size_t i = 0; i < batch.size(); ++i) {
        bool own_ok = false;
        auto sp = store_.transaction([&]() -> Result<void> {
          auto r = batch[i]->run(store_, clinic_);
          own_ok = r.has_value();
          return r;
        });
        if (!sp && own_ok) lost[i] = sp.error();
      }
      return {};
    });
  } catch (const std::exception& e) {
    committed = fail(ErrorCode::io_error, std::string("the batch's transaction failed: ") + e.what());
  }
  {
    std::lock_guard lock(mutex_);
    ++stats_.batches;
    stats_.writes += static_cast<std::int64_t>(batch.size());
    stats_.largest_batch = std::max(stats_.largest_batch, static_cast<std::int64_t>(batch.size()));
    if (!committed) ++stats_.failed_commits;
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!committed) {
      batch[i]->settle(&committed.error());
    } else {
      batch[i]->settle(lost[i] ? &*lost[i] : nullptr);
    }
  }
}

}  // namespace needlework::store
