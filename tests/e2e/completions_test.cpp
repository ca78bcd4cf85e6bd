// Keeps the shell completions in completions/ (hooktool.bash, _hooktool, hooktool.fish)
// in step with the CLI. The flags come from the built binary's own `--help`, so a flag
// added to (or removed from) a subcommand fails here until every completion file follows.
// The subcommands come from the "Subcommands:" section of `hooktool --help`, so a new
// subcommand fails here too until every completion file knows it and its flags.
// The bash completion is also run for real (sourced into `bash -c`, _hooktool called with
// COMP_WORDS/COMP_CWORD set); zsh and fish files get their shell's syntax check and a
// scripted session (zsh on a pseudo-terminal, fish's complete -C) when the shell is installed
// (.ci/setup installs both for the tests; skipped otherwise).

#include "process.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

namespace fs = std::filesystem;

const fs::path kCompletionsDir =
    fs::path(__FILE__).parent_path().parent_path().parent_path() / "completions";
const fs::path kBash = kCompletionsDir / "hooktool.bash";
const fs::path kZsh = kCompletionsDir / "_hooktool";
const fs::path kFish = kCompletionsDir / "hooktool.fish";

const std::vector<std::string> kProviders = {"stripe", "github",   "shopify", "twilio",
                                             "slack",  "standard", "svix",    "generic"};

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Absolute path of an executable found on PATH, if any.
std::optional<fs::path> find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr)
    return std::nullopt;
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty())
      continue;
    const fs::path candidate = fs::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate))
      return candidate;
  }
  return std::nullopt;
}

// `hooktool [SUB] --help`.
std::string help_text(const std::string& sub) {
  std::vector<std::string> args;
  if (!sub.empty())
    args.push_back(sub);
  args.emplace_back("--help");
  const auto r = e2e::hooktool(args);
  EXPECT_EQ(r.exit_code, 0) << "hooktool " << sub << " --help\n" << r.describe();
  return r.out;
}

// The subcommands of the built hooktool (from `hooktool --help`).
const std::vector<std::string>& subcommands() {
  return e2e::hooktool_subcommands();
}

// The subcommands, preceded by "" (the options before the subcommand).
std::vector<std::string> subcommands_and_top_level() {
  std::vector<std::string> subs = subcommands();
  subs.insert(subs.begin(), "");
  return subs;
}

std::set<std::string> long_flags(const std::string& help) {
  return e2e::long_flags_in_help(help);
}

// The short aliases the help lists as "-X,--long" (the letter only), except "h".
std::set<std::string> short_flags(const std::string& help) {
  std::set<std::string> out;
  static const std::regex re("(^|\\s)-([A-Za-z]),--");
  for (auto it = std::sregex_iterator(help.begin(), help.end(), re); it != std::sregex_iterator();
       ++it) {
    if ((*it)[2].str() != "h")
      out.insert((*it)[2].str());
  }
  return out;
}

// "--NAME" as a whole option word (not a prefix of a longer flag) somewhere in text.
bool mentions_long(const std::string& text, const std::string& name) {
  const std::regex re("(^|[^a-z0-9-])--" + name + "($|[^a-z0-9-])");
  return std::regex_search(text, re);
}

// "-X" as a whole option word somewhere in text.
bool mentions_short(const std::string& text, const std::string& letter) {
  const std::regex re("(^|[^A-Za-z0-9-])-" + letter + "($|[^A-Za-z0-9-])");
  return std::regex_search(text, re);
}

bool mentions_word(const std::string& text, const std::string& word) {
  const std::regex re("(^|[^A-Za-z0-9_-])" + word + "($|[^A-Za-z0-9_-])");
  return std::regex_search(text, re);
}

// The lines of the fish file that define completions (`complete ...`).
std::vector<std::string> fish_complete_lines(const std::string& fish) {
  std::vector<std::string> out;
  static const std::regex re("^\\s*complete\\s");
  for (const auto& line : e2e::lines_of(fish))
    if (std::regex_search(line, re))
      out.push_back(line);
  return out;
}

bool fish_line_has_long(const std::string& line, const std::string& name) {
  const std::regex re("\\s(-l|--long-option)(\\s+|=)" + name + "(\\s|$)");
  return std::regex_search(line, re);
}

bool fish_line_has_short(const std::string& line, const std::string& letter) {
  const std::regex re("\\s(-s|--short-option)(\\s+|=)" + letter + "(\\s|$)");
  return std::regex_search(line, re);
}

// Subcommands a fish `complete` line applies to: the words after __hooktool_using, or
// "" (before the subcommand) for __hooktool_want_subcommand.
std::set<std::string> fish_line_scope(const std::string& line) {
  std::set<std::string> out;
  std::smatch m;
  static const std::regex using_re("__hooktool_using((\\s+[a-z]+)+)");
  if (std::regex_search(line, m, using_re)) {
    std::istringstream words(m[1].str());
    std::string w;
    while (words >> w)
      out.insert(w);
  }
  if (line.find("__hooktool_want_subcommand") != std::string::npos)
    out.insert("");
  return out;
}

// The body of the zsh function `name() { ... }` (up to the first line that is "}").
std::string zsh_function_body(const std::string& zsh, const std::string& name) {
  const auto start = zsh.find("\n" + name + "() {");
  if (start == std::string::npos)
    return {};
  const auto end = zsh.find("\n}", start + 1);
  return zsh.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

struct BashCompletion {
  std::vector<std::string> words;  // COMP_WORDS, as bash would split them
  int cword = 0;                   // COMP_CWORD
  std::optional<std::string> line; // COMP_LINE (cursor at its end); unset when nullopt
};

class CompletionsBash : public testing::Test {
protected:
  void SetUp() override {
    bash_ = find_on_path("bash");
    if (!bash_)
      GTEST_SKIP() << "bash is not installed";
  }

  // Sources completions/hooktool.bash, runs _hooktool for the given words (with the
  // directory of the built hooktool first on PATH) and returns COMPREPLY.
  std::vector<std::string> complete(const BashCompletion& c) {
    std::string script = "source " + shell_quote(kBash.string()) + " || exit 90\nCOMP_WORDS=(";
    for (const auto& w : c.words)
      script += " " + shell_quote(w);
    script += " )\nCOMP_CWORD=" + std::to_string(c.cword) + "\n";
    if (c.line)
      script += "COMP_LINE=" + shell_quote(*c.line) + "\nCOMP_POINT=${#COMP_LINE}\n";
    script += "_hooktool || exit 91\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";

    e2e::ProcessOptions opts;
    const char* path = std::getenv("PATH");
    opts.env["PATH"] = fs::path(e2e::kHooktool).parent_path().string() + ":" +
                       (path != nullptr ? path : "/usr/bin:/bin");
    const auto r = e2e::run_process(bash_->string(), {"--norc", "--noprofile", "-c", script}, opts);
    EXPECT_EQ(r.exit_code, 0) << script << "\n" << r.describe();
    EXPECT_EQ(r.err, "") << script << "\n" << r.describe();
    return e2e::lines_of(r.out);
  }

  std::vector<std::string> complete(const std::vector<std::string>& words) {
    return complete(BashCompletion{words, static_cast<int>(words.size()) - 1, std::nullopt});
  }

  static bool has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  }

  std::optional<fs::path> bash_;
};

std::set<std::string> fixture_events(const std::string& provider,
                                     const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"fixtures", provider, "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = e2e::hooktool(args);
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  std::set<std::string> out;
  static const std::regex re("\"event\"\\s*:\\s*\"([^\"]*)\"");
  std::smatch m;
  for (const auto& line : e2e::lines_of(r.out))
    if (std::regex_search(line, m, re))
      out.insert(m[1].str());
  return out;
}

// --- Static checks: every file knows every flag and provider ---------------------------

TEST(Completions, FilesExist) {
  for (const auto& f : {kBash, kZsh, kFish})
    EXPECT_TRUE(fs::is_regular_file(f)) << f;
  EXPECT_EQ(read_text(kZsh).rfind("#compdef hooktool\n", 0), 0U)
      << "_hooktool must start with #compdef";
  EXPECT_TRUE(read_text(kBash).find("complete -F _hooktool hooktool") != std::string::npos);
}

// The "Subcommands:" section is found and parsed (else every per-subcommand check below
// would pass vacuously).
TEST(Completions, SubcommandsComeFromHelp) {
  const auto& subs = subcommands();
  ASSERT_FALSE(subs.empty()) << "no \"Subcommands:\" section in `hooktool --help`:\n"
                             << help_text("");
  for (const auto& known : {"send", "sign", "verify", "listen", "replay", "check", "fixtures"})
    EXPECT_NE(std::find(subs.begin(), subs.end(), known), subs.end())
        << known << " not found in `hooktool --help`";
  EXPECT_EQ(std::set<std::string>(subs.begin(), subs.end()).size(), subs.size());
}

// Each file offers every subcommand, and zsh dispatches each to its own function.
TEST(Completions, EverySubcommandIsInEveryFile) {
  const std::string bash = read_text(kBash);
  const std::string zsh = read_text(kZsh);
  const auto fish = fish_complete_lines(read_text(kFish));
  std::smatch m;
  ASSERT_TRUE(std::regex_search(bash, m, std::regex("\n_hooktool_subcommands='([^']*)'")))
      << "no _hooktool_subcommands='...' in " << kBash;
  const std::string bash_subs = " " + m[1].str() + " ";
  const std::string zsh_list = zsh_function_body(zsh, "_hooktool_subcommands");
  const std::string zsh_main = zsh_function_body(zsh, "_hooktool");
  ASSERT_FALSE(zsh_list.empty()) << "no _hooktool_subcommands() in " << kZsh;
  for (const auto& sub : subcommands()) {
    SCOPED_TRACE("hooktool " + sub);
    EXPECT_NE(bash_subs.find(" " + sub + " "), std::string::npos)
        << "not in _hooktool_subcommands in " << kBash;
    EXPECT_NE(zsh_list.find("'" + sub + ":"), std::string::npos)
        << "not in _hooktool_subcommands() in " << kZsh;
    EXPECT_TRUE(std::regex_search(zsh_main, std::regex("\\s" + sub + "\\) _hooktool_" + sub + " ")))
        << "_hooktool() does not dispatch " << sub << " to _hooktool_" << sub << " in " << kZsh;
    const std::regex fish_re("__hooktool_want_subcommand\\s+(.*\\s)?-a\\s+'?" + sub + "'?(\\s|$)");
    EXPECT_TRUE(std::any_of(fish.begin(), fish.end(),
                            [&](const std::string& l) { return std::regex_search(l, fish_re); }))
        << "no `complete ... -n __hooktool_want_subcommand -a " << sub << "` in " << kFish;
  }
}

TEST(Completions, EveryHelpFlagIsInEveryFile) {
  const std::string bash = read_text(kBash);
  const std::string zsh = read_text(kZsh);
  const auto fish = fish_complete_lines(read_text(kFish));
  ASSERT_FALSE(fish.empty());

  for (const auto& sub : subcommands_and_top_level()) {
    const std::string help = help_text(sub);
    const auto longs = long_flags(help);
    EXPECT_FALSE(longs.empty()) << "no flags found in `hooktool " << sub << " --help`";
    for (const auto& flag : longs) {
      SCOPED_TRACE("hooktool " + sub + " --" + flag);
      EXPECT_TRUE(mentions_long(bash, flag)) << "missing from " << kBash;
      EXPECT_TRUE(mentions_long(zsh, flag)) << "missing from " << kZsh;
      EXPECT_TRUE(std::any_of(fish.begin(), fish.end(),
                              [&](const std::string& l) { return fish_line_has_long(l, flag); }))
          << "no `complete ... -l " << flag << "` in " << kFish;
    }
    for (const auto& letter : short_flags(help)) {
      SCOPED_TRACE("hooktool " + sub + " -" + letter);
      EXPECT_TRUE(mentions_short(bash, letter)) << "missing from " << kBash;
      EXPECT_TRUE(mentions_short(zsh, letter)) << "missing from " << kZsh;
      EXPECT_TRUE(std::any_of(fish.begin(), fish.end(),
                              [&](const std::string& l) { return fish_line_has_short(l, letter); }))
          << "no `complete ... -s " << letter << "` in " << kFish;
    }
  }
}

TEST(Completions, EveryProviderIsInEveryFile) {
  for (const auto& file : {kBash, kZsh, kFish}) {
    const std::string text = read_text(file);
    for (const auto& provider : kProviders)
      EXPECT_TRUE(mentions_word(text, provider)) << provider << " missing from " << file;
  }
}

// zsh: each subcommand's flags are in that subcommand's _arguments function (the shared
// --generic-* specs count when the function pulls them in).
TEST(Completions, ZshFlagsAreInTheirSubcommandFunction) {
  const std::string zsh = read_text(kZsh);
  const std::string generic = zsh_function_body(zsh, "_hooktool_generic_specs");
  for (const auto& sub : subcommands()) {
    std::string body = zsh_function_body(zsh, "_hooktool_" + sub);
    ASSERT_FALSE(body.empty()) << "no _hooktool_" << sub << "() in " << kZsh;
    if (body.find("_hooktool_generic_specs") != std::string::npos)
      body += generic;
    for (const auto& flag : long_flags(help_text(sub)))
      EXPECT_TRUE(mentions_long(body, flag)) << "--" << flag << " not in _hooktool_" << sub << "()";
  }
}

// fish: each flag is offered under its own subcommand's condition, and no flag is offered
// under a subcommand whose help does not list it.
TEST(Completions, FishFlagsAreScopedToTheirSubcommands) {
  const auto lines = fish_complete_lines(read_text(kFish));
  static const std::regex long_re("\\s(?:-l|--long-option)(?:\\s+|=)([a-z0-9-]+)");
  for (const auto& sub : subcommands_and_top_level()) {
    const auto flags = long_flags(help_text(sub));
    std::set<std::string> offered;
    for (const auto& line : lines) {
      if (fish_line_scope(line).count(sub) == 0)
        continue;
      std::smatch m;
      if (std::regex_search(line, m, long_re))
        offered.insert(m[1].str());
    }
    offered.erase("help");
    for (const auto& flag : flags)
      EXPECT_EQ(offered.count(flag), 1U)
          << "hooktool " << sub << ": --" << flag << " is not offered by hooktool.fish";
    for (const auto& flag : offered)
      EXPECT_EQ(flags.count(flag), 1U) << "hooktool.fish offers --" << flag << " for `hooktool "
                                       << sub << "`, which its --help does not list";
  }
}

// --- Syntax of the zsh and fish files (when those shells are installed) --------------

TEST(Completions, ZshSyntax) {
  const auto zsh = find_on_path("zsh");
  if (!zsh)
    GTEST_SKIP() << "zsh is not installed";
  const auto r = e2e::run_process(zsh->string(), {"-n", kZsh.string()});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.err, "") << r.describe();
}

TEST(Completions, FishSyntax) {
  const auto fish = find_on_path("fish");
  if (!fish)
    GTEST_SKIP() << "fish is not installed";
  const auto r = e2e::run_process(fish->string(), {"-n", kFish.string()});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.err, "") << r.describe();
}

// Candidates a shell offers, without blanks and repeats, sorted.
std::vector<std::string> candidates(const std::string& text, bool strip_description) {
  std::set<std::string> out;
  for (auto line : e2e::lines_of(text)) {
    if (strip_description)
      line = line.substr(0, line.find('\t'));
    if (!line.empty())
      out.insert(line);
  }
  return {out.begin(), out.end()};
}

// zsh, interactive on a pseudo-terminal (tests/e2e/zsh_complete.zsh): types the line and TAB.
std::vector<std::string> zsh_complete(const fs::path& zsh, const std::string& line) {
  const auto driver = fs::path(__FILE__).parent_path() / "zsh_complete.zsh";
  const auto r = e2e::run_process(zsh.string(), {driver.string(), kCompletionsDir.string(), line});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  return candidates(r.out, false);
}

std::vector<std::string> fish_complete(const fs::path& fish, const std::string& line) {
  const auto r = e2e::run_process(
      fish.string(),
      {"--no-config", "-c", "source " + kFish.string() + "; complete -C " + "'" + line + "'"});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  return candidates(r.out, true);
}

using Candidates = std::vector<std::string>;

TEST(Completions, ZshCompletesProvidersEventsAndSubcommandsInASession) {
  const auto zsh = find_on_path("zsh");
  if (!zsh)
    GTEST_SKIP() << "zsh is not installed";
  EXPECT_EQ(zsh_complete(*zsh, "hooktool send str"), Candidates{"stripe"});
  EXPECT_EQ(zsh_complete(*zsh, "hooktool check git"), Candidates{"github"});
  // Events come from the binary as typed (its built-in fixtures).
  EXPECT_EQ(zsh_complete(*zsh, e2e::kHooktool + " send stripe invoice.pa"),
            (Candidates{"invoice.paid", "invoice.payment_failed"}));
  EXPECT_EQ(zsh_complete(*zsh, "hooktool ex"), Candidates{"export"});
  EXPECT_EQ(zsh_complete(*zsh, "hooktool config "), Candidates{"show"});
}

TEST(Completions, FishCompletesProvidersEventsAndSubcommandsInASession) {
  const auto fish = find_on_path("fish");
  if (!fish)
    GTEST_SKIP() << "fish is not installed";
  EXPECT_EQ(fish_complete(*fish, "hooktool send str"), Candidates{"stripe"});
  EXPECT_EQ(fish_complete(*fish, "hooktool check git"), Candidates{"github"});
  EXPECT_EQ(fish_complete(*fish, e2e::kHooktool + " send stripe invoice.pa"),
            (Candidates{"invoice.paid", "invoice.payment_failed"}));
  EXPECT_EQ(fish_complete(*fish, "hooktool ex"), Candidates{"export"});
  EXPECT_EQ(fish_complete(*fish, "hooktool config "), Candidates{"show"});
}

TEST(Completions, BashSyntax) {
  const auto bash = find_on_path("bash");
  if (!bash)
    GTEST_SKIP() << "bash is not installed";
  const auto r = e2e::run_process(bash->string(), {"-n", kBash.string()});
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.err, "") << r.describe();
}

// --- The bash completion, run -------------------------------------------------------

TEST_F(CompletionsBash, CompletesSubcommands) {
  EXPECT_EQ(complete({"hooktool", "se"}), std::vector<std::string>{"send"});
  const auto all = complete({"hooktool", ""});
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()),
            std::set<std::string>(subcommands().begin(), subcommands().end()));
  EXPECT_EQ(complete({"hooktool", "rep"}), std::vector<std::string>{"replay"});
  EXPECT_EQ(complete({"hooktool", "ch"}), std::vector<std::string>{"check"});
  EXPECT_EQ(complete({"hooktool", "--no-color", "li"}), std::vector<std::string>{"listen"});
}

TEST_F(CompletionsBash, OffersExactlyEachSubcommandsHelpFlags) {
  for (const auto& sub : subcommands_and_top_level()) {
    const std::string help = help_text(sub);
    std::set<std::string> expected = {"-h", "--help"};
    for (const auto& f : long_flags(help))
      expected.insert("--" + f);
    for (const auto& s : short_flags(help))
      expected.insert("-" + s);
    std::vector<std::string> words = {"hooktool"};
    if (!sub.empty())
      words.push_back(sub);
    words.emplace_back("-");
    const auto got = complete(words);
    EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), expected)
        << "hooktool " << sub << " -";
  }
}

TEST_F(CompletionsBash, CompletesProviders) {
  for (const auto& sub : {"send", "sign", "verify", "check", "fixtures"}) {
    const auto got = complete({"hooktool", sub, ""});
    EXPECT_EQ(std::set<std::string>(got.begin(), got.end()),
              std::set<std::string>(kProviders.begin(), kProviders.end()))
        << "hooktool " << sub;
  }
  EXPECT_EQ(complete({"hooktool", "listen", "--provider", "gi"}),
            std::vector<std::string>{"github"});
  EXPECT_EQ(complete({"hooktool", "replay", "--provider", "gi"}),
            std::vector<std::string>{"github"});
  EXPECT_EQ(complete({"hooktool", "check", "--list", "--strict", "sh"}),
            std::vector<std::string>{"shopify"});
  // A provider is the first positional only: options and their values do not count.
  EXPECT_EQ(complete({"hooktool", "sign", "--secret", "x", "--body", "y", "sh"}),
            std::vector<std::string>{"shopify"});
  EXPECT_TRUE(complete({"hooktool", "sign", "stripe", ""}).empty());
}

TEST_F(CompletionsBash, CompletesEventNamesFromHooktoolFixtures) {
  // Exactly the brief's case: COMP_WORDS=(hooktool send stripe "") COMP_CWORD=3.
  const auto got = complete({"hooktool", "send", "stripe", ""});
  EXPECT_TRUE(has(got, "invoice.paid"));
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), fixture_events("stripe"));

  const auto shopify = complete({"hooktool", "send", "--dry-run", "shopify", "orders/"});
  EXPECT_TRUE(has(shopify, "orders/create")) << testing::PrintToString(shopify);
  for (const auto& e : shopify)
    EXPECT_EQ(e.rfind("orders/", 0), 0U) << e;
}

TEST_F(CompletionsBash, CompletesEventNamesFromUserFixtures) {
  std::string templ = (fs::temp_directory_path() / "hooktool-e2e-compl-XXXXXX").string();
  ASSERT_NE(::mkdtemp(templ.data()), nullptr);
  const fs::path dir = templ;
  fs::create_directories(dir / "stripe");
  std::ofstream(dir / "stripe" / "custom.completion_event.json") << "{\"object\":\"event\"}\n";

  const auto with_space =
      complete({"hooktool", "send", "--fixtures", dir.string(), "stripe", "custom."});
  const auto with_equals = complete(
      BashCompletion{{"hooktool", "send", "--fixtures", "=", dir.string(), "stripe", "custom."},
                     6,
                     "hooktool send --fixtures=" + dir.string() + " stripe custom."});
  const auto without = complete({"hooktool", "send", "stripe", "custom."});
  std::error_code ec;
  fs::remove_all(dir, ec);

  EXPECT_EQ(with_space, std::vector<std::string>{"custom.completion_event"});
  EXPECT_EQ(with_equals, std::vector<std::string>{"custom.completion_event"});
  EXPECT_TRUE(without.empty()) << testing::PrintToString(without);
}

TEST_F(CompletionsBash, CompletesEnumeratedValues) {
  const std::map<std::string, std::set<std::string>> values = {
      {"--tamper", {"signature", "body", "timestamp"}},
      {"--generic-algo", {"sha1", "sha256", "sha512"}},
      {"--generic-encoding", {"hex", "base64"}},
      {"--generic-sign", {"body", "timestamp"}},
      {"--expect", {"2xx", "4xx", "5xx"}},
  };
  for (const auto& [flag, expected] : values) {
    const auto got = complete({"hooktool", "send", "stripe", "invoice.paid", flag, ""});
    EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), expected) << flag;
  }
  EXPECT_EQ(complete({"hooktool", "replay", "--keep-path", ""}),
            (std::vector<std::string>{"yes", "no"}));
  EXPECT_EQ(complete({"hooktool", "replay", "--keep-path", "n"}), std::vector<std::string>{"no"});
  const auto expect = complete({"hooktool", "replay", "cap.jsonl", "--expect", ""});
  EXPECT_EQ(std::set<std::string>(expect.begin(), expect.end()),
            (std::set<std::string>{"2xx", "4xx", "5xx"}));
  // replay --event is a glob over captured event types: free text, no candidates.
  EXPECT_TRUE(complete({"hooktool", "replay", "--event", ""}).empty());
  // After an option's value, positionals resume.
  EXPECT_EQ(complete({"hooktool", "send", "--tamper", "body", "stri"}),
            std::vector<std::string>{"stripe"});
}

TEST_F(CompletionsBash, CompletesFilesAndDirectories) {
  std::string templ = (fs::temp_directory_path() / "hooktool-e2e-compl-XXXXXX").string();
  ASSERT_NE(::mkdtemp(templ.data()), nullptr);
  const fs::path dir = templ;
  std::ofstream(dir / "payload.json") << "{}\n";
  fs::create_directories(dir / "fixdir");
  const std::string p = (dir / "pay").string();
  const std::string d = (dir / "fix").string();

  std::map<std::string, std::vector<std::string>> got;
  for (const auto& flag : {"--save", "--secret-file", "--data", "--fixtures"})
    got[flag] = complete(
        {"hooktool", "send", "stripe", "ping", flag, flag == std::string("--fixtures") ? d : p});
  got["--capture"] = complete({"hooktool", "listen", "--capture", p});
  got["--tls-cert"] = complete({"hooktool", "listen", "--tls-cert", p});
  got["--tls-key"] = complete({"hooktool", "listen", "--tls-key", p});
  got["--response-body"] = complete({"hooktool", "listen", "--response-body", "@" + p});
  got["--body"] = complete({"hooktool", "verify", "--body", "@" + p});
  got["--fixtures-dirs-only"] =
      complete({"hooktool", "fixtures", "--fixtures", (dir / "").string()});
  got["check --fixtures"] = complete({"hooktool", "check", "stripe", "--fixtures", d});
  got["check --secret-file"] = complete({"hooktool", "check", "stripe", "--secret-file", p});
  got["replay --secret-file"] = complete({"hooktool", "replay", "--secret-file", p});
  got["replay --curl-dir"] = complete({"hooktool", "replay", "--curl-dir", d});
  got["replay FILE"] = complete({"hooktool", "replay", "--keep-path", "no", p});
  std::error_code ec;
  fs::remove_all(dir, ec);

  const std::string file = (dir / "payload.json").string();
  for (const auto& flag : {"--save", "--secret-file", "--capture", "--tls-cert", "--tls-key",
                           "check --secret-file", "replay --secret-file", "replay FILE"})
    EXPECT_EQ(got[flag], std::vector<std::string>{file}) << flag;
  // --data/--body/--response-body read a file only as @FILE, so that is what is offered.
  for (const auto& flag : {"--data", "--body", "--response-body"})
    EXPECT_EQ(got[flag], std::vector<std::string>{"@" + file}) << flag;
  EXPECT_EQ(got["--fixtures"], std::vector<std::string>{(dir / "fixdir").string()});
  EXPECT_EQ(got["--fixtures-dirs-only"], std::vector<std::string>{(dir / "fixdir").string()});
  for (const auto& flag : {"check --fixtures", "replay --curl-dir"})
    EXPECT_EQ(got[flag], std::vector<std::string>{(dir / "fixdir").string()}) << flag;
}

// check --only/--skip take check names (the first column of `hooktool check --list`), as a
// comma-separated list; check --event takes the provider's events, like send.
TEST_F(CompletionsBash, CompletesCheckNamesAndEvents) {
  EXPECT_EQ(complete({"hooktool", "check", "stripe", "--only", "acc"}),
            (std::vector<std::string>{"accepts-valid", "accepts-unknown-event"}));

  const auto listed = e2e::hooktool({"check", "--list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.describe();
  std::set<std::string> names;
  for (const auto& line : e2e::lines_of(listed.out)) {
    std::istringstream first(line);
    std::string name;
    if (first >> name)
      names.insert(name);
  }
  ASSERT_TRUE(names.count("accepts-valid")) << listed.out;
  for (const auto& flag : {"--only", "--skip"}) {
    const auto got = complete({"hooktool", "check", flag, ""});
    EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), names) << flag;
  }

  // The last name of a comma-separated list is completed; the ones before it are kept
  // and not offered again.
  EXPECT_EQ(complete({"hooktool", "check", "stripe", "--skip", "accepts-valid,handles-d"}),
            std::vector<std::string>{"accepts-valid,handles-duplicate"});
  const auto rest = complete({"hooktool", "check", "--only", "accepts-valid,acc"});
  EXPECT_EQ(rest, std::vector<std::string>{"accepts-valid,accepts-unknown-event"});
  // --only=NAME, as bash splits it at "=".
  EXPECT_EQ(complete(BashCompletion{{"hooktool", "check", "stripe", "--only", "=", "verif"},
                                    5,
                                    "hooktool check stripe --only=verif"}),
            std::vector<std::string>{"verifies-raw-bytes"});

  const auto events = complete({"hooktool", "check", "stripe", "--event", ""});
  EXPECT_EQ(std::set<std::string>(events.begin(), events.end()), fixture_events("stripe"));
  EXPECT_EQ(complete({"hooktool", "check", "github", "--to", ":3000", "--event", "pu"}),
            (std::vector<std::string>{"pull_request.opened", "push"}));
  // No provider yet: no event to offer.
  EXPECT_TRUE(complete({"hooktool", "check", "--event", ""}).empty());
}

// Bash splits "--tamper=s" and "localhost:3000" at COMP_WORDBREAKS; the completion glues
// them back (using COMP_LINE) so values and positionals are still found.
TEST_F(CompletionsBash, HandlesWordBreakCharacters) {
  EXPECT_EQ(complete(BashCompletion{{"hooktool", "send", "stripe", "x", "--tamper", "=", "s"},
                                    6,
                                    "hooktool send stripe x --tamper=s"}),
            std::vector<std::string>{"signature"});
  const auto events = complete(
      BashCompletion{{"hooktool", "send", "--to", "localhost", ":", "3000", "github", "pu"},
                     7,
                     "hooktool send --to localhost:3000 github pu"});
  EXPECT_EQ(events, (std::vector<std::string>{"pull_request.opened", "push"}));
  const auto providers = complete(BashCompletion{
      {"hooktool", "send", "--secret", "stripe", "=", "whsec_x", "--to", ":", "3000", "str"},
      9,
      "hooktool send --secret stripe=whsec_x --to :3000 str"});
  EXPECT_EQ(providers, std::vector<std::string>{"stripe"});
}

} // namespace
