// Opening the server's services: data, the writer and its group committer, the read pool (services.hpp).

#include "services.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <fstream>

#include "needlework/knowledge/loader.hpp"
#include "needlework/physics/data_files.hpp"

#ifndef NEEDLEWORK_DATA_DIR
#error "NEEDLEWORK_DATA_DIR must be defined by the build"
#endif

namespace needlework::server {
namespace {

/// `e` with the setting it came from in front of its location.
Error from_setting(Error e, std::string_view setting) {
  e.where = e.where.empty() ? std::string(setting) : fmt::format("{}: {}", setting, e.where);
  return e;
}

template <class T>
Result<T> named(Result<T> r, std::string_view setting) {
  if (!r) return std::unexpected(from_setting(std::move(r.error()), setting));
  return r;
}

}  // namespace

Result<std::shared_ptr<Services>> Services::open(const ServerConfig& config) {
  std::shared_ptr<Services> s(new Services());
  s->config_ = config;
  s->data_dir_ = config.data_dir.empty() ? std::filesystem::path(NEEDLEWORK_DATA_DIR) : config.data_dir;
  if (config.database == ":memory:") {
    return fail(ErrorCode::invalid_value,
                "a server needs a database its connections share: name a SQLite file or a PostgreSQL URI",
                "database");
  }
  NW_TRY(pack, named(knowledge::load_pack(s->data_dir_ / "packs", config.pack), "pack"));
  s->pack_ = std::move(pack);
  NW_TRY(regions, named(physics::load_regions_file(s->data_dir_), "data_dir"));
  s->regions_ = std::move(regions);
  NW_TRY(devices, named(physics::load_device_catalog(s->data_dir_), "data_dir"));
  s->devices_ = std::move(devices);
  NW_TRY(resealing, named(physics::load_resealing_file(s->data_dir_), "data_dir"));
  s->resealing_ = std::move(resealing);
  NW_TRY(common,
         named(load_common_passwords(s->data_dir_ / "security" / "common-passwords.txt"), "data_dir"));
  s->common_ = std::move(common);
  s->policy_.common = &s->common_;

  {
    const auto file = s->data_dir_ / "api" / "schemas.json";
    std::ifstream in(file);
    s->schemas_ = nlohmann::json::parse(in, nullptr, false);
    if (!in || s->schemas_.is_discarded() || !s->schemas_.is_object()) {
      return fail(ErrorCode::data_error, "cannot read the API schemas (a JSON object)", file.string());
    }
  }

  if (!config.photo_dir.empty()) {
    s->photo_dir_ = std::filesystem::absolute(config.photo_dir);
  } else if (store::names_postgres(config.database)) {
    s->photo_dir_ = std::filesystem::absolute("photos");
  } else {
    s->photo_dir_ = std::filesystem::absolute(config.database).parent_path() / "photos";
  }

  NW_TRY(writer, named(store::open_store(config.database), "database"));
  s->writer_store_ = std::move(writer);
  s->writer_clinic_ =
      std::make_unique<store::ClinicStore>(*s->writer_store_, s->pack_, s->physics(), s->photo_dir_);
  s->writer_clinic_->set_public_url(public_url_of(config));
  s->committer_ = std::make_unique<store::GroupCommitter>(*s->writer_store_, *s->writer_clinic_);

  // The mail worker: a thread with its own connection, sending what the outbox holds (docs/mail.md).
  const auto mail_config = mail_config_of(config);
  if (mail_config.configured()) {
    NW_TRY(mailer, mail::Mailer::make(mail_config));
    s->mailer_ = std::make_unique<mail::Mailer>(std::move(mailer));
    NW_TRY(mail_store, named(store::open_store(config.database), "database"));
    s->mail_store_ = std::move(mail_store);
    s->mail_clinic_ =
        std::make_unique<store::ClinicStore>(*s->mail_store_, s->pack_, s->physics(), s->photo_dir_);
    s->mail_clinic_->set_public_url(public_url_of(config));
    s->mail_worker_ = std::make_unique<mail::DeliveryWorker>(
        *s->mail_clinic_, *s->mailer_,
        [] { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); },
        [](const std::string& line) { spdlog::info("mail: {}", line); });
    s->mail_worker_->start();
  }
  return s;
}

Services::~Services() { close_writer(); }

void Services::committed() {
  if (mail_worker_) mail_worker_->wake();
}

void Services::close_writer() {
  if (mail_worker_) mail_worker_->stop();
  if (committer_) committer_->close();
}

Result<std::unique_ptr<ReadConnection>> Services::acquire() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
  }
  // Opened outside the lock: a PostgreSQL connection takes a round trip or more.
  NW_TRY(opened, store::open_store(config_.database));
  auto c = std::make_unique<ReadConnection>();
  c->store = std::move(opened);
  c->clinic = std::make_unique<store::ClinicStore>(*c->store, pack_, physics(), photo_dir_);
  c->clinic->set_public_url(public_url_of(config_));
  return c;
}

void Services::release(std::unique_ptr<ReadConnection> c, bool broken) {
  if (broken) return;  // closed here: the next reader opens a fresh one
  std::lock_guard lock(pool_mutex_);
  idle_.push_back(std::move(c));
}

}  // namespace needlework::server
