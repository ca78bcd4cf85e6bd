#include "core/mismatch.hpp"

#include "util/error.hpp"
#include "util/form.hpp"
#include "util/json.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <optional>
#include <utility>

namespace hooktool::core {

// Named, not anonymous: the unity build compiles this file with others of the same folder.
namespace mismatch_impl {

// How an alternative is listed among what was tried: adjacent ones with the same noun share it
// ("compact/sorted body").
struct TriedTag {
  std::string word;
  std::string noun;
};

// One way the sender may have signed: another body, secret or URL list, or the other algorithm.
struct Candidate {
  TriedTag tag;
  std::string label; // follows "it matches "
  std::optional<std::string> body;
  std::optional<std::string> secret;
  std::optional<std::vector<std::string>> urls;
  bool other_algorithm = false;
};

class CandidateList {
public:
  explicit CandidateList(const model::HttpRequest& req) : received_(req.body) {}

  // Adds a body unless it is the received one or already listed.
  void body(std::string text, TriedTag tag, std::string label) {
    if (text == received_ || std::any_of(items_.begin(), items_.end(), [&](const Candidate& c) {
          return c.body && *c.body == text;
        }))
      return;
    Candidate c{std::move(tag), std::move(label), {}, {}, {}, false};
    c.body = std::move(text);
    items_.push_back(std::move(c));
  }
  void secret(std::string value, TriedTag tag, std::string label) {
    Candidate c{std::move(tag), std::move(label), {}, {}, {}, false};
    c.secret = std::move(value);
    items_.push_back(std::move(c));
  }
  void url(std::string value, TriedTag tag, std::string label) {
    if (std::any_of(items_.begin(), items_.end(),
                    [&](const Candidate& c) { return c.urls && c.urls->front() == value; }))
      return;
    Candidate c{std::move(tag), std::move(label), {}, {}, {}, false};
    c.urls = std::vector<std::string>{std::move(value)};
    items_.push_back(std::move(c));
  }
  void algorithm(TriedTag tag, std::string label) {
    items_.push_back({std::move(tag), std::move(label), {}, {}, {}, true});
  }
  std::vector<Candidate>& items() { return items_; }

private:
  std::string_view received_;
  std::vector<Candidate> items_;
};

using OrderedJson = nlohmann::ordered_json;

std::string json_text(const OrderedJson& j, int indent, bool ascii) {
  return j.dump(indent, ' ', ascii, nlohmann::json::error_handler_t::replace);
}

// Python's json.dumps default: ", " and ": " separators, non-ASCII escaped.
void python_text(const OrderedJson& j, std::string& out) {
  if (j.is_object()) {
    out += '{';
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it != j.begin())
        out += ", ";
      out += OrderedJson(it.key()).dump(-1, ' ', true);
      out += ": ";
      python_text(it.value(), out);
    }
    out += '}';
  } else if (j.is_array()) {
    out += '[';
    for (std::size_t i = 0; i < j.size(); ++i) {
      if (i != 0)
        out += ", ";
      python_text(j[i], out);
    }
    out += ']';
  } else {
    out += json_text(j, -1, true);
  }
}

std::string python_text(const OrderedJson& j) {
  std::string out;
  python_text(j, out);
  return out;
}

// PHP's json_encode default: compact, non-ASCII escaped and '/' written "\/" ('/' only ever
// occurs inside strings in compact JSON).
std::string php_text(const OrderedJson& j) {
  std::string out;
  for (const char c : json_text(j, -1, true)) {
    if (c == '/')
      out += '\\';
    out += c;
  }
  return out;
}

void add_json_bodies(CandidateList& list, std::string_view body) {
  const auto sorted = util::parse_json(body); // bounded depth: only then parsed in order
  if (!sorted || !(sorted->is_object() || sorted->is_array()))
    return;
  const auto doc = OrderedJson::parse(body, nullptr, false);
  if (doc.is_discarded())
    return;
  const std::string why = " (the sender parsed and re-encoded the JSON before signing)";
  list.body(json_text(doc, -1, false), {"compact", "body"},
            "the body re-serialised compactly" + why);
  list.body(sorted->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
            {"sorted", "body"}, "the body re-serialised with its keys sorted" + why);
  list.body(json_text(doc, 2, false), {"pretty", "body"},
            "the body pretty-printed with 2-space indents, as JSON.stringify(body, null, 2) "
            "writes it" +
                why);
  list.body(json_text(doc, 4, true), {"4-space", "body"},
            "the body pretty-printed with 4-space indents, as Python's json.dumps(body, "
            "indent=4) writes it" +
                why);
  list.body(json_text(doc, 4, false), {"4-space", "body"},
            "the body pretty-printed with 4-space indents, non-ASCII unescaped" + why);
  list.body(python_text(doc), {"Python-style", "body"},
            "the body re-encoded as Python's json.dumps writes it by default (\", \" and \": \" "
            "separators, non-ASCII escaped as \\uXXXX)" +
                why);
  list.body(json_text(doc, -1, true), {"ASCII-escaped", "body"},
            "the body re-serialised compactly with non-ASCII escaped as \\uXXXX" + why);
  list.body(php_text(doc), {"PHP-style", "body"},
            "the body re-encoded as PHP's json_encode writes it (\\/ for /, non-ASCII escaped)" +
                why);
  list.body(json_text(doc, -1, false) + "\n", {"compact", "body"},
            "the body re-serialised compactly with a trailing newline" + why);
}

// Percent-encodes a form name or value; space as "+" or "%20".
std::string form_encode(std::string_view text, bool plus) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += ch;
    } else if (c == ' ' && plus) {
      out += '+';
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string form_text(const std::vector<std::pair<std::string, std::string>>& fields, bool plus) {
  std::string out;
  for (const auto& [k, v] : fields)
    out += (out.empty() ? "" : "&") + form_encode(k, plus) + "=" + form_encode(v, plus);
  return out;
}

void add_form_bodies(CandidateList& list, std::string_view body) {
  auto fields = util::parse_form(body);
  if (fields.empty())
    return;
  const std::string why = " (the sender signed a re-encoded copy of the parameters)";
  list.body(form_text(fields, true), {"re-encoded (+)", "form body"},
            "the form body re-encoded with + for spaces" + why);
  list.body(form_text(fields, false), {"re-encoded (%20)", "form body"},
            "the form body re-encoded with %20 for spaces" + why);
  std::stable_sort(fields.begin(), fields.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  const bool plus = body.find("%20") == std::string_view::npos;
  list.body(form_text(fields, plus), {"sorted", "form body"},
            "the form body with its parameters sorted by name" + why);
}

void add_bodies(CandidateList& list, const providers::Provider& provider,
                const model::HttpRequest& req) {
  if (!provider.signs_body_text() || req.body.size() > kMismatchMaxReserialiseBytes)
    return;
  const std::string_view body = req.body;
  if (!body.empty() && body.back() == '\n') {
    auto text = std::string(body.substr(0, body.find_last_not_of("\r\n") + 1));
    list.body(std::move(text), {"trailing newline", ""},
              "the body without its trailing newline (a newline was added after signing)");
  } else {
    list.body(std::string(body) + "\n", {"trailing newline", ""},
              "the body with a trailing newline added (the sender signed the text with a "
              "newline, as a file or print() writes it)");
  }
  if (model::is_form(req.headers))
    add_form_bodies(list, req.body);
  else
    add_json_bodies(list, req.body);
}

// scheme://authority, path and query of an absolute URL; nullopt for anything else.
struct UrlParts {
  std::string scheme;
  std::string authority;
  std::string path;
  std::optional<std::string> query;
  [[nodiscard]] std::string str() const {
    return scheme + "://" + authority + path + (query ? "?" + *query : "");
  }
};

std::optional<UrlParts> split_url(std::string_view url) {
  const auto sep = url.find("://");
  if (sep == std::string_view::npos)
    return std::nullopt;
  UrlParts u;
  u.scheme = util::to_lower(url.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https")
    return std::nullopt;
  auto rest = url.substr(sep + 3);
  const auto end = rest.find_first_of("/?");
  u.authority = std::string(rest.substr(0, end));
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  const auto q = rest.find('?');
  u.path = std::string(rest.substr(0, q));
  if (q != std::string_view::npos)
    u.query = std::string(rest.substr(q + 1));
  return u;
}

// The authority's port after its host (brackets kept for IPv6); npos when it has none.
std::size_t port_colon(const std::string& authority) {
  const auto colon = authority.rfind(':');
  const auto bracket = authority.rfind(']');
  if (colon == std::string::npos || (bracket != std::string::npos && colon < bracket))
    return std::string::npos;
  return colon;
}

void add_url_variants(CandidateList& list, const std::string& url) {
  const auto parts = split_url(url);
  if (!parts)
    return;
  const auto add = [&](const UrlParts& v, std::string word, const std::string& what) {
    const auto text = v.str();
    list.url(text, {std::move(word), "URL"},
             "the URL " + util::printable(text) + " (" + what + ": the sender signed another URL)");
  };
  auto v = *parts;
  v.scheme = parts->scheme == "https" ? "http" : "https";
  add(v, "http/https", v.scheme + ", not " + parts->scheme);
  v = *parts;
  if (const auto colon = port_colon(v.authority); colon != std::string::npos) {
    v.authority.resize(colon);
    add(v, "port", "without the port");
  } else {
    v.authority += parts->scheme == "https" ? ":443" : ":80";
    add(v, "port", "with the default port");
  }
  v = *parts;
  if (v.path.size() > 1 && v.path.back() == '/')
    v.path.pop_back();
  else
    v.path += '/';
  add(v, "trailing slash",
      parts->path.ends_with('/') ? "without the trailing slash" : "with a trailing slash");
  if (parts->query) {
    v = *parts;
    v.query.reset();
    add(v, "query", "without the query string");
  }
}

// The URL rebuilt from X-Forwarded-Host / X-Forwarded-Proto, as a proxy saw it.
void add_forwarded_url(CandidateList& list, const model::HttpRequest& req, const std::string& url) {
  const auto host = model::find_header(req.headers, "X-Forwarded-Host");
  auto parts = split_url(url);
  if (!host || !parts)
    return;
  parts->authority = std::string(util::trim(util::split(*host, ',').front()));
  if (const auto proto = model::find_header(req.headers, "X-Forwarded-Proto"))
    parts->scheme = util::to_lower(util::trim(util::split(*proto, ',').front()));
  const auto text = parts->str();
  list.url(text, {"forwarded host", "URL"},
           "the URL " + util::printable(text) +
               " (the forwarded host: the sender signed the public URL a proxy forwards)");
}

void add_urls(CandidateList& list, const providers::Provider& provider,
              const model::HttpRequest& req, const providers::VerifyParams& params) {
  if (!provider.signs_url())
    return;
  auto urls = params.urls;
  if (urls.empty() && util::starts_with(req.url, "http"))
    urls.push_back(req.url);
  if (!urls.empty())
    add_forwarded_url(list, req, urls.front());
  for (const auto& url : urls)
    add_url_variants(list, url);
}

void add_secrets(CandidateList& list, const providers::Provider& provider,
                 const providers::VerifyParams& params,
                 const std::vector<AlternateSecret>& others) {
  if (params.secret)
    for (auto& v : provider.secret_variants(*params.secret))
      list.secret(std::move(v.secret), {std::move(v.tag), ""}, std::move(v.label));
  for (const auto& o : others)
    if (o.secret != params.secret)
      list.secret(o.secret, {o.label, ""}, o.label + " instead");
}

struct Outcome {
  bool matched = false;
  model::Verdict verdict; // the candidate's: valid or expired
};

Outcome try_candidate(const providers::Provider& provider, const model::HttpRequest& req,
                      const providers::VerifyParams& params, const Candidate& c) {
  try {
    if (c.other_algorithm)
      return {params.secret && provider.signed_with_other_algorithm(req, *params.secret), {}};
    auto p = params;
    if (c.secret)
      p.secret = c.secret;
    if (c.urls)
      p.urls = *c.urls;
    auto verdict = [&] {
      if (!c.body)
        return provider.verify(req, p);
      auto copy = req;
      copy.body = *c.body;
      return provider.verify(copy, p);
    }();
    const bool ok = verdict.status == model::VerdictStatus::valid ||
                    verdict.status == model::VerdictStatus::expired;
    return {ok, std::move(verdict)};
  } catch (const Error&) {
    return {}; // a form the scheme cannot even key with
  }
}

// "compact/sorted body, trailing newline, secret without whsec_".
std::string tried_text(const std::vector<Candidate>& tried) {
  std::vector<std::pair<std::string, std::vector<std::string>>> groups; // noun, words
  for (const auto& c : tried) {
    if (groups.empty() || c.tag.noun.empty() || groups.back().first != c.tag.noun)
      groups.push_back({c.tag.noun, {}});
    auto& words = groups.back().second;
    if (std::find(words.begin(), words.end(), c.tag.word) == words.end())
      words.push_back(c.tag.word);
  }
  std::string out;
  for (const auto& [noun, words] : groups) {
    out += out.empty() ? "" : ", ";
    for (std::size_t i = 0; i < words.size(); ++i)
      out += (i == 0 ? "" : "/") + words[i];
    out += noun.empty() ? "" : " " + noun;
  }
  return out;
}

// The reason without its trailing "(hint)", and the hint.
std::pair<std::string, std::string> split_hint(const std::string& reason) {
  const auto open = reason.rfind(" (");
  if (open == std::string::npos || reason.back() != ')')
    return {reason, {}};
  return {reason.substr(0, open), reason.substr(open + 2, reason.size() - open - 3)};
}

} // namespace mismatch_impl

bool is_signature_mismatch(const model::Verdict& verdict) {
  return verdict.status == model::VerdictStatus::invalid &&
         util::starts_with(verdict.reason, "signature does not match");
}

model::Verdict explain_mismatch(const providers::Provider& provider, const model::HttpRequest& req,
                                const providers::VerifyParams& params, model::Verdict verdict,
                                const std::vector<AlternateSecret>& others) {
  using namespace mismatch_impl;
  if (!is_signature_mismatch(verdict))
    return verdict;
  CandidateList list(req);
  add_bodies(list, provider, req);
  add_secrets(list, provider, params, others);
  add_urls(list, provider, req, params);
  if (!provider.other_algorithm().empty())
    list.algorithm({std::string(provider.other_algorithm()), ""},
                   "the right input signed with " + std::string(provider.other_algorithm()) +
                       " instead (the sender used the scheme's other algorithm)");
  auto& items = list.items();
  const auto total = items.size();
  if (items.size() > kMismatchMaxCandidates)
    items.resize(kMismatchMaxCandidates);
  auto [head, hint] = split_hint(verdict.reason);
  for (const auto& c : items) {
    const auto outcome = try_candidate(provider, req, params, c);
    if (!outcome.matched)
      continue;
    verdict.reason = head + "; it matches " + c.label;
    if (outcome.verdict.status == model::VerdictStatus::expired)
      verdict.reason += "; it is also expired: " + outcome.verdict.reason;
    return verdict;
  }
  std::string notes;
  if (provider.signs_body_text() && req.body.size() > kMismatchMaxReserialiseBytes)
    notes += "; body over 1 MiB: not re-serialised";
  if (total > items.size())
    notes += "; the first " + std::to_string(items.size()) + " of " + std::to_string(total) +
             " candidates";
  if (!hint.empty())
    notes += "; none matches: " + hint;
  verdict.reason =
      head + " (tried: " + (items.empty() ? "nothing" : tried_text(items)) + notes + ")";
  return verdict;
}

} // namespace hooktool::core
