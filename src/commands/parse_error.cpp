#include "commands/parse_error.hpp"

#include "util/strings.hpp"

namespace hooktool::commands {

std::string safe_parse_message(std::string_view what) {
  while (!what.empty() && (what.back() == '\n' || what.back() == '\r'))
    what.remove_suffix(1);
  for (const std::string_view prefix : {"The following arguments were not expected: ",
                                        "The following argument was not expected: "}) {
    if (!what.starts_with(prefix))
      continue;
    std::string named;
    std::size_t others = 0;
    for (const auto word : util::split(what.substr(prefix.size()), ' ')) {
      if (word.empty())
        continue;
      if (!word.starts_with('-') || word == "-") {
        ++others;
        continue;
      }
      named += (named.empty() ? "" : ", ") + util::capped(word.substr(0, word.find('=')), 40);
    }
    const auto count = std::to_string(others) + (others == 1 ? " argument" : " arguments");
    if (named.empty())
      return count + " not expected (not shown: it may be a secret)";
    std::string out = "unknown option " + named;
    if (others > 0)
      out += " (" + count + " more, not shown)";
    return out;
  }
  return util::capped(what, 200);
}

} // namespace hooktool::commands
