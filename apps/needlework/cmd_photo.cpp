// `needlework photo add|check`: photos kept by SHA-256 with their metadata.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "store_command.hpp"
#include "text_records.hpp"

namespace needlework::cli {

using nlohmann::json;
using store::Id;

void register_photo(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o) {
  auto* photo = app.add_subcommand("photo", "Photos kept by SHA-256 with their metadata");
  photo->require_subcommand(1);
  group_examples(*photo, {"needlework photo add C-0001 before.jpg --kind before --session 1",
                          "needlework photo check C-0001"});
  struct PhotoArgs {
    store::PhotoInput in;
    std::string file;
    Id session = 0;
    CLI::Option* session_opt = nullptr;
  };
  auto ph = std::make_shared<PhotoArgs>();
  auto* photo_add =
      add(*photo, ctx, o, Needs::records, "add",
          "Keep a photo (JPEG or PNG) of a client, optionally of a session",
          "needlework photo add C-0001 before.jpg --kind before --session 1", [&ctx, ph](Open& s) {
            auto bytes = read_input(ph->file, InputKind::photo);
            if (!bytes) return report(ctx, bytes.error());
            auto in = ph->in;
            in.bytes = std::move(*bytes);
            in.original_name = std::filesystem::path(ph->file).filename().string();
            if (ph->session_opt->count() > 0) in.session_id = ph->session;
            return show<store::PhotoRecord>(
                ctx, s.clinic->add_photo(s.actor, in),
                [](const auto& p) {
                  fmt::print("photo {} of client {} kept: {} {} bytes, sha256 {}\n", p.id, esc(p.client_id),
                             esc(p.media_type), p.size_bytes, esc(p.sha256));
                },
                OptionNames{{"kind", "--kind"},
                            {"session", "--session"},
                            {"area", "--area"},
                            {"file", ph->file},
                            {"photo_dir", "--photos"}});
          });
  photo_add->add_option("client", ph->in.client_id, "Client id")->required();
  photo_add->add_option("file", ph->file, "Image file (JPEG or PNG)")->required();
  photo_add->add_option("--kind", ph->in.kind, "before, after, followup or other")->required();
  ph->session_opt = add_id_option(*photo_add, "--session", ph->session, "The session it shows");
  photo_add->add_option("--note", ph->in.note, "A note");
  photo_add->add_option("--area", ph->in.area,
                        "The area it shows, an area id of the pack (default: its session's area)");
  auto* photo_check = add(*photo, ctx, o, Needs::records, "check",
                          "Re-hash a client's photo files: exit 5 if one is missing or changed",
                          "needlework photo check C-0001", [&ctx, ph](Open& s) {
                            auto r = s.clinic->check_photos(ph->in.client_id);
                            if (!r) return report_store(ctx, r.error());
                            if (ctx.json) {
                              json out = json::array();
                              for (const auto& p : *r) {
                                out.push_back({{"photo", store::to_json(p.photo)}, {"problem", p.problem}});
                              }
                              print_json(out);
                            } else if (r->empty()) {
                              fmt::print("every photo of client {} is intact\n", esc(ph->in.client_id));
                            } else {
                              for (const auto& p : *r)
                                fmt::print("photo {}: {}\n", p.photo.id, esc(p.problem));
                            }
                            return r->empty() ? static_cast<int>(exit_ok) : static_cast<int>(exit_attention);
                          });
  photo_check->add_option("client", ph->in.client_id, "Client id")->required();
}

}  // namespace needlework::cli
