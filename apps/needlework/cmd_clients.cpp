// `needlework users|clients`: staff users, and client records with their whole history.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "needlework/server/credentials.hpp"
#include "needlework/units/text.hpp"
#include "store_command.hpp"
#include "text_records.hpp"

namespace needlework::cli {

using nlohmann::json;
using store::Id;

namespace {

/// The password `users add --password-stdin` reads: stdin (bounded, as every input) with its final line end
/// removed; more than one line is refused, since a password is one line.
Result<std::string> password_from_stdin() {
  NW_TRY(text, read_input("-"));
  if (text.ends_with('\n')) text.pop_back();
  if (text.ends_with('\r')) text.pop_back();
  if (text.find_first_of("\r\n") != std::string::npos)
    return fail(ErrorCode::invalid_value, "holds more than one line; give the password alone on one line",
                "password");
  return text;
}

/// `users add`: the user, and with `password_stdin` their password checked (server/credentials.hpp, the
/// shipped common-password list) and stored hashed in the same transaction, so a refused password leaves no
/// user behind.
int add_user(Context& ctx, Open& s, const std::string& name, const std::string& role, bool password_stdin) {
  const OptionNames names{{"role", "--role"}, {"password", "--password-stdin"}};
  const auto print = [&](const store::UserRecord& u) {
    fmt::print("user {} ({}) added{}\n", esc(u.name), esc(u.role), password_stdin ? " with a password" : "");
  };
  if (!password_stdin)
    return show<store::UserRecord>(ctx, s.clinic->add_user(s.actor, name, role), print, names);

  auto password = password_from_stdin();
  if (!password) return report_store(ctx, password.error(), names);
  const auto list_file = ctx.data_dir() / "security" / "common-passwords.txt";
  auto common = server::load_common_passwords(list_file);
  if (!common) return report(ctx, common.error());
  const auto clean_name = units::clean_text(name, "name");
  server::PasswordPolicy policy;
  policy.common = &*common;
  if (auto ok = server::check_password(*password, clean_name ? *clean_name : name, policy, "password"); !ok)
    return report_store(ctx, ok.error(), names);
  auto hash = server::hash_password(*password, server::HashCost::interactive);
  if (!hash) return report_store(ctx, hash.error(), names);
  auto user = s.db->transaction_returning<store::UserRecord>([&]() -> Result<store::UserRecord> {
    NW_TRY(u, s.clinic->add_user(s.actor, name, role));
    NW_CHECK(s.db->put_credential(s.actor, store::Credential{u.id, *hash, false, s.actor.at, false}));
    return u;
  });
  return show<store::UserRecord>(ctx, user, print, names);
}

}  // namespace

void register_users(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o) {
  auto* users = app.add_subcommand("users", "Staff users");
  users->require_subcommand(1);
  group_examples(*users, {"needlework users add ana --role practitioner",
                          "needlework users add ana --role admin --password-stdin < password.txt",
                          "needlework users list", "needlework --json users list"});
  struct UserArgs {
    std::string name, role;
    bool password_stdin = false;
  };
  auto ua = std::make_shared<UserArgs>();
  auto* user_add =
      add(*users, ctx, o, Needs::records, "add", "Add a staff user",
          "needlework users add ana --role practitioner\n"
          "         needlework users add ana --role admin --password-stdin < password.txt",
          [&ctx, ua](Open& s) { return add_user(ctx, s, ua->name, ua->role, ua->password_stdin); });
  user_add->add_option("name", ua->name, "User name")->required();
  add(*users, ctx, o, Needs::records, "list", "The staff users: name, role, since when",
      "needlework users list\n         needlework users list --json", [&ctx](Open& s) {
        return show_list<store::UserRecord>(
            ctx, s.db->users(),
            [](const auto& u) {
              fmt::print("{:<20} {:<13} since {}\n", esc(u.name), esc(u.role), t(u.created_at));
            },
            "no users; add one with `needlework users add NAME --role practitioner`");
      });
  user_add->add_option("--role", ua->role, "Role: admin, practitioner, reception or auditor")->required();
  user_add->add_flag("--password-stdin", ua->password_stdin,
                     "Read the user's password from stdin (one line: at least 12 characters, at most 256 "
                     "bytes, not a common one) and store it hashed (argon2id), so the user can log in to "
                     "`needlework serve`");
}

void register_clients(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o) {
  auto* clients = app.add_subcommand("clients", "Client records: add, find, show with history");
  clients->require_subcommand(1);
  group_examples(*clients, {"needlework clients add C-0001 --name \"Ana Example\" --born 1988-03-14",
                            "needlework clients edit C-0001 --phone \"+44 20 7946 0958\"",
                            "needlework clients find ana", "needlework clients show C-0001"});
  struct ClientArgs {
    std::string id, name, born, text, email, phone;
    bool clear_email = false, clear_phone = false;
  };
  auto ca = std::make_shared<ClientArgs>();
  static const OptionNames client_options{
      {"name", "--name"}, {"date_of_birth", "--born"}, {"email", "--email"}, {"phone", "--phone"}};
  auto* client_add =
      add(*clients, ctx, o, Needs::records, "add", "Register a client",
          "needlework clients add C-0001 --name \"Ana Example\" --born 1988-03-14", [&ctx, ca](Open& s) {
            store::ClientRecord c;
            c.id = ca->id;
            c.name = ca->name;
            if (!ca->born.empty()) {
              auto d = parse_date_option(ca->born, "--born");
              if (!d) return report(ctx, d.error());
              c.date_of_birth = *d;
            }
            c.email = ca->email;
            c.phone = ca->phone;
            return show<store::ClientRecord>(
                ctx, s.clinic->add_client(s.actor, c),
                [](const auto& r) { fmt::print("client {} ({}) added\n", esc(r.id), esc(r.name)); },
                client_options);
          });
  client_add->add_option("id", ca->id, "Client id, as in intakes (C-0001)")->required();
  client_add->add_option("--name", ca->name, "Full name")->required();
  client_add->add_option("--born", ca->born, "Date of birth YYYY-MM-DD");
  client_add->add_option("--email", ca->email, "Email address (checked in form only)");
  client_add->add_option("--phone", ca->phone, "Phone number: digits, spaces, + - ( ); 6 to 20 digits");

  // Only what is given changes; --clear-email / --clear-phone remove one. The command itself is asked which
  // options were given (an empty --email is given, and clears it like --clear-email).
  auto edit_cmd = std::make_shared<CLI::App*>(nullptr);
  auto* client_edit =
      add(*clients, ctx, o, Needs::records, "edit", "Change a client's name, date of birth, email or phone",
          "needlework clients edit C-0001 --phone \"+44 20 7946 0958\"\n"
          "         needlework clients edit C-0001 --name \"Ana Example-Smith\" --clear-email",
          [&ctx, ca, edit_cmd](Open& s) {
            store::ClientChanges changes;
            const auto given = [&](const char* option) { return (*edit_cmd)->count(option) > 0; };
            if (given("--name")) changes.name = ca->name;
            if (given("--born")) {
              auto d = parse_date_option(ca->born, "--born");
              if (!d) return report(ctx, d.error());
              changes.date_of_birth = *d;
            }
            if (given("--email")) changes.email = ca->email;
            if (given("--phone")) changes.phone = ca->phone;
            if (ca->clear_email) changes.email = std::string();
            if (ca->clear_phone) changes.phone = std::string();
            return show<store::ClientRecord>(
                ctx, s.clinic->update_client(s.actor, ca->id, changes),
                [](const auto& r) { fmt::print("client {} ({}) changed\n", esc(r.id), esc(r.name)); },
                client_options);
          });
  *edit_cmd = client_edit;
  client_edit->add_option("id", ca->id, "Client id")->required();
  client_edit->add_option("--name", ca->name, "Full name");
  client_edit->add_option("--born", ca->born, "Date of birth YYYY-MM-DD");
  client_edit->add_option("--email", ca->email, "Email address (checked in form only)");
  client_edit->add_option("--phone", ca->phone, "Phone number: digits, spaces, + - ( ); 6 to 20 digits");
  client_edit->add_flag("--clear-email", ca->clear_email, "Remove the email address")->excludes("--email");
  client_edit->add_flag("--clear-phone", ca->clear_phone, "Remove the phone number")->excludes("--phone");

  // The client's consent to messages, as said at the clinic: --agree or --withdraw, one of them.
  struct MessagesArgs {
    std::string id;
    bool agree = false, withdraw = false;
  };
  auto ma = std::make_shared<MessagesArgs>();
  auto* client_messages = add(
      *clients, ctx, o, Needs::records, "messages",
      "Record the client's consent to messages (e-mail): --agree or --withdraw",
      "needlework clients messages C-0001 --agree", [&ctx, ma](Open& s) {
        if (ma->agree == ma->withdraw) {
          return report(ctx, Error{ErrorCode::missing_field, "give one of --agree or --withdraw", "--agree"});
        }
        return show<store::MessageConsentRecord>(
            ctx, s.clinic->record_message_consent(s.actor, ma->id, ma->agree, store::ConsentVia::clinic),
            [](const auto& r) {
              fmt::print("client {}: messages {} ({} by {})\n", esc(r.client_id),
                         r.agreed ? "agreed" : "not agreed", units::format_date_time(r.recorded_at),
                         esc(r.recorded_by));
            });
      });
  client_messages->add_option("id", ma->id, "Client id")->required();
  client_messages->add_flag("--agree", ma->agree, "The client agrees to messages");
  client_messages->add_flag("--withdraw", ma->withdraw, "The client withdraws (or refuses) consent")
      ->excludes("--agree");

  auto* client_find = add(*clients, ctx, o, Needs::records, "find", "Find clients by id or name",
                          "needlework clients find ana", [&ctx, ca](Open& s) {
                            auto found = s.db->search_clients(ca->text);
                            if (!found) return report_store(ctx, found.error());
                            if (ctx.json) {
                              json out = json::array();
                              for (const auto& c : *found) out.push_back(store::to_json(c));
                              print_json(out);
                            } else {
                              if (found->empty())
                                fmt::print("no client matches '{}'\n", units::excerpt(ca->text));
                              for (const auto& c : *found) fmt::print("{:<12} {}\n", esc(c.id), esc(c.name));
                            }
                            return static_cast<int>(exit_ok);
                          });
  client_find->add_option("text", ca->text, "Part of an id or a name")->required();

  auto* client_show = add(*clients, ctx, o, Needs::records, "show",
                          "A client with every record: intakes, consents, sessions, …",
                          "needlework clients show C-0001", [&ctx, ca](Open& s) {
                            return show<store::ClientHistory>(ctx, s.clinic->history(ca->id), print_history);
                          });
  client_show->add_option("id", ca->id, "Client id")->required();
}

}  // namespace needlework::cli
