#include "commands/app.hpp"

#include "commands/check.hpp"
#include "commands/cli_words.hpp"
#include "commands/completion.hpp"
#include "commands/config.hpp"
#include "commands/export.hpp"
#include "commands/fixtures.hpp"
#include "commands/keygen.hpp"
#include "commands/listen.hpp"
#include "commands/man.hpp"
#include "commands/replay.hpp"
#include "commands/secret.hpp"
#include "commands/send.hpp"
#include "commands/sign.hpp"
#include "commands/verify.hpp"
#include "core/build_info.hpp"
#include "model/url.hpp"
#include "ui/term.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <iostream>
#include <optional>

namespace hooktool::commands {

namespace {

// Every message is escaped and capped here, whatever it quotes (a value from a file, a wire).
void print_error(const std::string& message) {
  std::cerr << ui::paint("hooktool:", ui::Style::error, ui::Stream::err) << " "
            << util::capped(message, 2000) << "\n";
}

// The whole command line: every command's options and where CLI11 put them.
struct Cli {
  CLI::App app{"hooktool: send, inspect and replay webhooks, signed like the real providers"};
  bool no_color = false;
  bool force_color = false;
  bool no_config = false;
  SendOptions send;
  SignOptions sign;
  VerifyOptions verify;
  FixturesOptions fixtures;
  ListenOptions listen;
  ReplayOptions replay;
  CheckOptions check;
  KeygenOptions keygen;
  SecretOptions secret;
  ExportOptions export_options;
  ConfigOptions config;
  CompletionOptions completion;
  CLI::App* send_cmd = nullptr;
  CLI::App* sign_cmd = nullptr;
  CLI::App* verify_cmd = nullptr;
  CLI::App* listen_cmd = nullptr;
  CLI::App* replay_cmd = nullptr;
  CLI::App* check_cmd = nullptr;
  CLI::App* fixtures_cmd = nullptr;
  CLI::App* keygen_cmd = nullptr;
  CLI::App* secret_cmd = nullptr;
  CLI::App* export_cmd = nullptr;
  CLI::App* config_cmd = nullptr;
  CLI::App* completion_cmd = nullptr;
  CLI::App* help_cmd = nullptr;
  std::vector<std::string> help_topic;
  std::optional<core::Settings> loaded;

  Cli() {
    app.name("hooktool");
    app.require_subcommand(1);
    app.set_version_flag("-V,--version", [] { return core::version_report(); });
    app.footer("Examples:\n"
               "  hooktool send stripe invoice.paid --to localhost:3000/webhooks --secret whsec_…\n"
               "  hooktool listen --port 9000 --secret stripe=whsec_… --capture deliveries.jsonl\n"
               "  hooktool replay deliveries.jsonl --to :3000 --times 3\n"
               "  hooktool check github --to :3000/github --secret s3cret\n"
               "Run 'hooktool <command> --help' for a command's options.");
    app.add_flag("--no-color", no_color, "Never use colour (also NO_COLOR)");
    app.add_flag("--color", force_color, "Always use colour");
    app.add_flag("--no-config", no_config,
                 "Read no config file (.hooktool.toml, ~/.config/hooktool)");
    app.fallthrough();
    send_cmd = register_send(app, send);
    sign_cmd = register_sign(app, sign);
    verify_cmd = register_verify(app, verify);
    listen_cmd = register_listen(app, listen);
    replay_cmd = register_replay(app, replay);
    check_cmd = register_check(app, check);
    fixtures_cmd = register_fixtures(app, fixtures);
    keygen_cmd = register_keygen(app, keygen);
    secret_cmd = register_secret(app, secret);
    export_cmd = register_export(app, export_options);
    config_cmd = register_config(app, config);
    completion_cmd = register_completion(app, completion);
    help_cmd = app.add_subcommand("help", "Show the help of hooktool or of one of its commands");
    help_cmd->add_option("command", help_topic, "The command whose help to show");
    help_cmd->footer("Examples:\n  hooktool help listen\n  hooktool help send");
  }

  // `hooktool help [command [subcommand]]`: what `hooktool command --help` prints.
  int run_help() {
    const CLI::App* topic = &app;
    std::string name = "hooktool";
    for (const auto& word : help_topic) {
      std::vector<std::string> names;
      const CLI::App* next = nullptr;
      for (const auto* sub : topic->get_subcommands({})) {
        names.push_back(sub->get_name());
        if (sub->get_name() == word)
          next = sub;
      }
      if (next == nullptr)
        throw usage_error("no command '" + util::printable(word) + "' in " + name +
                          util::did_you_mean(word, names) + " (see hooktool --help)");
      name += " " + word;
      topic = next;
    }
    // The formatter, not App::help: that shows the help of the parsed subcommand (this one).
    std::cout << topic->get_formatter()->make_help(topic, name, CLI::AppFormatMode::Normal);
    return 0;
  }

  // Settings not given as flags come from the environment, then the config files: read once,
  // and only by the commands that use them (so --help, --version, fixtures and export never
  // touch a config file).
  const core::Settings& settings() {
    if (!loaded)
      loaded.emplace(load_settings(no_config));
    return *loaded;
  }

  void target_or_config(std::string& to) {
    auto resolved = settings().to(to);
    if (resolved.layer == core::Layer::project || resolved.layer == core::Layer::user) {
      try {
        (void)model::parse_target(resolved.value);
      } catch (const Error& e) {
        throw usage_error(resolved.where + ": to: " + e.what());
      }
    }
    to = std::move(resolved.value);
  }

  void resolve_listen() {
    const auto& s = settings();
    listen.host =
        s.listen_host(listen_cmd->count("--host") > 0 ? std::optional<std::string>(listen.host)
                                                      : std::nullopt,
                      listen.host)
            .value;
    listen.port = static_cast<int>(s.listen_port(listen_cmd->count("--port") > 0
                                                     ? std::optional<long long>(listen.port)
                                                     : std::nullopt,
                                                 listen.port)
                                       .value);
    auto forward = s.forward(listen.forward_to);
    listen.forward_to = std::move(forward.value);
    if (forward.layer == core::Layer::project || forward.layer == core::Layer::user)
      listen.forward_where = forward.where;
  }

  // Flags given on the command line win; what is missing comes from settings.
  void resolve() {
    if (send_cmd->parsed())
      target_or_config(send.to);
    if (replay_cmd->parsed() && !replay.as_curl)
      target_or_config(replay.to);
    if (check_cmd->parsed())
      target_or_config(check.to);
    if (listen_cmd->parsed())
      resolve_listen();
  }

  int dispatch() {
    if (help_cmd->parsed())
      return run_help();
    if (completion_cmd->parsed())
      return run_completion(app, completion);
    if (config_cmd->parsed())
      return run_config(config, settings());
    if (export_cmd->parsed())
      return run_export(export_options);
    if (send_cmd->parsed())
      return run_send(send, settings());
    if (sign_cmd->parsed())
      return run_sign(sign, settings());
    if (verify_cmd->parsed())
      return run_verify(verify, settings());
    if (listen_cmd->parsed())
      return run_listen(listen, settings());
    if (replay_cmd->parsed())
      return run_replay(replay, settings());
    if (check_cmd->parsed())
      return run_check(check, settings());
    if (fixtures_cmd->parsed())
      return run_fixtures(fixtures);
    if (keygen_cmd->parsed())
      return run_keygen(keygen);
    if (secret_cmd->parsed())
      return run_secret(secret);
    return static_cast<int>(ExitCode::usage);
  }
};

// The first word that is not an option names the command: a typo gets a suggestion rather
// than CLI11's "A subcommand is required". nullopt when it names one (or there is none).
std::optional<int> reject_unknown_command(const CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (word.starts_with("-"))
      continue;
    std::vector<std::string> names;
    for (const auto* sub : app.get_subcommands({}))
      names.push_back(sub->get_name());
    if (std::find(names.begin(), names.end(), word) != names.end())
      return std::nullopt;
    ui::configure_color(ui::ColorMode::automatic);
    print_error("unknown command '" + util::capped(word, 40) + "'" +
                util::did_you_mean(word, names) + " (see hooktool --help)");
    return static_cast<int>(ExitCode::usage);
  }
  return std::nullopt;
}

// Parses the command line; an exit code when it is done (help, version, an error).
std::optional<int> parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    ui::configure_color(ui::ColorMode::automatic);
    const std::string what = in_our_words(e);
    std::string help = "hooktool --help";
    for (const auto* sub : app.get_subcommands())
      help = "hooktool " + sub->get_name() + " --help";
    print_error(what + " (see " + help + ")");
    return static_cast<int>(ExitCode::usage);
  }
  return std::nullopt;
}

// Hidden entry points used by the build: the man page and the completion scripts.
std::optional<int> hidden_output(const CLI::App& app, int argc, char** argv) {
  if (argc == 2 && std::string_view(argv[1]) == "--man") {
    std::cout << render_man_page(app);
    return 0;
  }
  if (argc == 3 && std::string_view(argv[1]) == "--completion") {
    if (const auto shell = parse_shell(argv[2])) {
      std::cout << render_completion(app, *shell);
      return 0;
    }
  }
  return std::nullopt;
}

} // namespace

int run_app(int argc, char** argv) {
  // A closed pipe (hooktool … | head) must end the write, not the process with SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);

  // `hooktool --version` alone answers before the command line is built (start-up goal).
  if (argc == 2 &&
      (std::string_view(argv[1]) == "--version" || std::string_view(argv[1]) == "-V")) {
    std::cout << core::version_report() << "\n";
    return 0;
  }
  Cli cli;
  if (const auto done = hidden_output(cli.app, argc, argv))
    return *done;
  if (const auto done = reject_unknown_command(cli.app, argc, argv))
    return *done;
  if (const auto unknown = unknown_option(cli.app, argc, argv)) {
    ui::configure_color(ui::ColorMode::automatic);
    print_error(*unknown);
    return static_cast<int>(ExitCode::usage);
  }
  if (const auto done = parse(cli.app, argc, argv))
    return *done;
  ui::configure_color(cli.no_color      ? ui::ColorMode::never
                      : cli.force_color ? ui::ColorMode::always
                                        : ui::ColorMode::automatic);
  try {
    cli.resolve();
    return cli.dispatch();
  } catch (const Error& e) {
    print_error(e.what());
    return static_cast<int>(e.code());
  } catch (const std::bad_alloc&) {
    print_error("out of memory");
    return static_cast<int>(ExitCode::failure);
  } catch (const std::exception& e) {
    print_error(std::string("internal error: ") + e.what());
    return static_cast<int>(ExitCode::failure);
  }
}

} // namespace hooktool::commands
