#include "commands/cli_words.hpp"

#include "util/strings.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <regex>
#include <string_view>
#include <system_error>
#include <vector>

namespace hooktool::commands {

namespace {

// 0.001, 86400, 10000000: no exponent, no trailing zeros.
std::string plain(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.6f", value);
  std::string s = text;
  while (s.back() == '0')
    s.pop_back();
  if (s.back() == '.')
    s.pop_back();
  return s;
}

std::string range_text(const std::string& lo, const std::optional<std::string>& hi) {
  return hi ? lo + "-" + *hi : ">=" + lo;
}

std::string range_words(const std::string& lo, const std::optional<std::string>& hi) {
  return hi ? "from " + lo + " to " + *hi : "at least " + lo;
}

bool digits_only(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// Decimal text: digits, one optional '.', an optional leading '-'.
bool decimal_text(std::string_view s) {
  if (s.starts_with('-'))
    s.remove_prefix(1);
  const auto dot = s.find('.');
  if (dot == std::string_view::npos)
    return digits_only(s);
  const auto whole = s.substr(0, dot);
  const auto fraction = s.substr(dot + 1);
  return (whole.empty() || digits_only(whole)) && (fraction.empty() || digits_only(fraction)) &&
         !(whole.empty() && fraction.empty());
}

} // namespace

CLI::Validator whole_number(long long lo, std::optional<long long> hi) {
  const std::optional<std::string> hi_text =
      hi ? std::optional<std::string>(std::to_string(*hi)) : std::nullopt;
  const std::string lo_text = std::to_string(lo);
  const std::string words = range_words(lo_text, hi_text);
  auto check = [lo, hi, words](std::string& input) -> std::string {
    std::string_view s = input;
    const bool negative = s.starts_with('-');
    if (!digits_only(negative ? s.substr(1) : s) || (negative && lo >= 0))
      return util::printable(input) + " is not a whole number " + words;
    long long value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size() || value < lo || (hi && value > *hi))
      return util::printable(input) + " is out of range: " + words;
    return {};
  };
  return {check, range_text(lo_text, hi_text)};
}

CLI::Validator decimal_number(double lo, double hi) {
  const std::string words = range_words(plain(lo), plain(hi));
  auto check = [lo, hi, words](std::string& input) -> std::string {
    if (!decimal_text(input))
      return util::printable(input) + " is not a number " + words;
    const double value = std::strtod(input.c_str(), nullptr);
    if (!std::isfinite(value) || value < lo || value > hi)
      return util::printable(input) + " is out of range: " + words;
    return {};
  };
  return {check, range_text(plain(lo), plain(hi))};
}

namespace {

std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> out;
  std::string word;
  for (const char c : text) {
    if (c == ' ') {
      if (!word.empty())
        out.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty())
    out.push_back(std::move(word));
  return out;
}

} // namespace

std::string in_our_words(const CLI::ParseError& error) {
  std::string what = error.what();
  while (!what.empty() && what.back() == '\n')
    what.pop_back();
  std::smatch m;
  // "--port: 1 required INT:0-65535 missing"
  static const std::regex missing(R"(^(-[^:]+): \d+ required (\S+) missing$)");
  if (std::regex_match(what, m, missing))
    return m[1].str() + " needs a value (" + m[2].str() + ")";
  // "The following arguments were not expected: extra2 extra1" (CLI11 lists them last first)
  static const std::regex extras(R"(^The following arguments? (?:was|were) not expected: (.*)$)");
  if (std::regex_match(what, m, extras)) {
    auto words = words_of(m[1].str());
    std::reverse(words.begin(), words.end());
    if (words.empty())
      return what;
    // A stray word may be a secret typed without its flag (`hooktool sign github $SECRET`):
    // a long one is not echoed whole.
    const auto& word = words.front();
    std::string text = word.size() <= 16
                           ? "unexpected argument '" + util::printable(word) + "'"
                           : "unexpected argument '" + util::printable(word.substr(0, 4)) + "…' (" +
                                 std::to_string(word.size()) + " characters)";
    if (words.size() > 1)
      text += " (and " + std::to_string(words.size() - 1) + " more)";
    return text;
  }
  // "shell: tcsh not in {bash,zsh,fish}"
  static const std::regex member(R"(^([^:]+): (.*) not in \{(.*)\}$)");
  if (std::regex_match(what, m, member)) {
    std::vector<std::string> choices;
    std::string listed;
    for (const auto choice : util::split(m[3].str(), ',')) {
      choices.emplace_back(choice);
      listed += (listed.empty() ? "" : ", ") + choices.back();
    }
    return m[1].str() + ": '" + util::printable(m[2].str()) + "' is not one of " + listed +
           util::did_you_mean(m[2].str(), choices);
  }
  // "Could not convert: --port = abc"
  static const std::regex convert(R"(^Could not convert: (\S+) = (.*)$)");
  if (std::regex_match(what, m, convert))
    return m[1].str() + ": '" + util::printable(m[2].str()) + "' is not a valid value";
  // "--a excludes --b"
  static const std::regex excludes(R"(^(\S+) excludes (\S+)$)");
  if (std::regex_match(what, m, excludes))
    return m[1].str() + " cannot be used with " + m[2].str();
  return what;
}

namespace {

struct OptionShape {
  bool known = false;
  bool takes_value = false;
};

// hooktool, then the command the line names, then its own subcommand (`config set`).
using Scopes = std::vector<const CLI::App*>;

// What `token` (an option as typed, without any "=value") is in the innermost scope knowing it.
OptionShape shape_of(const Scopes& scopes, const std::string& token) {
  for (auto scope = scopes.rbegin(); scope != scopes.rend(); ++scope) {
    for (const CLI::Option* opt : (*scope)->get_options()) {
      if (opt->check_name(token))
        return {true, opt->get_type_size_max() > 0 && opt->get_expected_max() > 0};
    }
  }
  return {};
}

std::vector<std::string> option_names(const Scopes& scopes) {
  std::vector<std::string> names;
  for (const CLI::App* scope : scopes) {
    for (const CLI::Option* opt : scope->get_options()) {
      for (const auto& name : opt->get_lnames())
        names.push_back("--" + name);
    }
  }
  return names;
}

// A bundle of short flags ("-qv") is known when each letter is a known flag.
bool known_short_bundle(const Scopes& scopes, std::string_view token) {
  for (std::size_t i = 1; i < token.size(); ++i) {
    const auto shape = shape_of(scopes, std::string("-") + token[i]);
    if (!shape.known)
      return false;
    if (shape.takes_value)
      return true; // the rest of the bundle is its value ("-p9000")
  }
  return true;
}

// A word that names a subcommand of the innermost scope enters it.
void enter(Scopes& scopes, const std::string& word) {
  for (const CLI::App* sub : scopes.back()->get_subcommands({})) {
    if (sub->get_name() == word) {
      scopes.push_back(sub);
      return;
    }
  }
}

} // namespace

std::optional<std::string> unknown_option(const CLI::App& app, int argc, const char* const* argv) {
  Scopes scopes{&app};
  for (int i = 1; i < argc; ++i) {
    const std::string token = argv[i];
    if (token == "--")
      return std::nullopt;
    if (token.size() < 2 || token[0] != '-') {
      enter(scopes, token);
      continue;
    }
    const bool long_form = token.starts_with("--");
    const auto eq = token.find('=');
    const std::string name = long_form ? token.substr(0, eq) : token.substr(0, 2);
    const auto shape = shape_of(scopes, name);
    if (shape.known) {
      const bool value_attached = long_form ? eq != std::string::npos : token.size() > 2;
      if (shape.takes_value && !value_attached)
        ++i; // its value, which may start with '-' ("--rate -1", "--data -")
      continue;
    }
    if (!long_form && known_short_bundle(scopes, token))
      continue;
    if (!long_form && digits_only(std::string_view(token).substr(1)))
      continue; // a negative number as a positional
    std::string where = "hooktool";
    for (std::size_t s = 1; s < scopes.size(); ++s)
      where += " " + scopes[s]->get_name();
    return "unknown option " + util::printable(name) + " for " + where +
           util::did_you_mean(name, option_names(scopes));
  }
  return std::nullopt;
}

} // namespace hooktool::commands
