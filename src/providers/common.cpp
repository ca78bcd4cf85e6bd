#include "providers/common.hpp"

#include "crypto/crypto.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace hooktool::providers {

std::string_view to_string(VerdictStatus status) noexcept {
  switch (status) {
  case VerdictStatus::valid:
    return "valid";
  case VerdictStatus::invalid:
    return "invalid";
  case VerdictStatus::expired:
    return "expired";
  case VerdictStatus::unsigned_:
    return "unsigned";
  case VerdictStatus::unverified:
    return "unverified";
  }
  return "unverified";
}

void Provider::validate_secret(std::string_view secret) const {
  if (secret.empty())
    throw usage_error("the secret for " + std::string(id()) + " is empty");
}

std::string Provider::generate_secret() const {
  return crypto::to_hex(crypto::random_bytes(20));
}

bool Provider::detect(const core::Headers& headers) const {
  return core::find_header(headers, signature_header()).has_value();
}

void Provider::tamper_signature(core::Headers& headers) const {
  for (auto& h : headers)
    if (util::iequals(h.name, signature_header())) {
      detail::corrupt_at(h.value, h.value.size() > 12 ? h.value.size() / 2 : 0);
      return;
    }
}

void Provider::tamper_timestamp(core::Headers& /*headers*/) const {
  throw usage_error("--tamper timestamp: " + std::string(id()) +
                    " signatures carry no timestamp; use --tamper signature or body");
}

void Provider::mark_retry(core::Headers& /*headers*/, int /*attempt*/) const {}

namespace detail {

std::optional<std::string> outside_window(Window window, std::int64_t ts, std::int64_t now,
                                          std::int64_t tolerance) {
  if (window == Window::none || tolerance <= 0)
    return std::nullopt;
  const auto age = now - ts;
  if (age > tolerance)
    return "timestamp is " + std::to_string(age) + " s old (tolerance " +
           std::to_string(tolerance) + " s)";
  if (window == Window::past_and_future && -age > tolerance)
    return "timestamp is " + std::to_string(-age) + " s in the future (tolerance " +
           std::to_string(tolerance) + " s)";
  return std::nullopt;
}

std::int64_t tolerance_of(const Provider& p, const VerifyParams& params) noexcept {
  return params.tolerance ? *params.tolerance : p.default_tolerance();
}

std::optional<std::int64_t> parse_timestamp(std::string_view text) noexcept {
  long long v = 0;
  if (text.empty() || text.front() == '-' || !util::parse_int64(text, v))
    return std::nullopt;
  return static_cast<std::int64_t>(v);
}

std::optional<nlohmann::json> parse_json(std::string_view body) {
  if (util::json_nesting_exceeds(body, kMaxJsonDepth))
    return std::nullopt;
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return std::nullopt;
  return j;
}

namespace {

// SAX handler that records scalar values found at wanted key paths (objects only).
class FieldGrabber final : public nlohmann::json_sax<nlohmann::json> {
public:
  FieldGrabber(const std::vector<std::vector<std::string_view>>& paths,
               std::vector<std::string>& out)
      : paths_(paths), out_(out) {}

  bool null() override { return value({}); }
  bool boolean(bool /*v*/) override { return value({}); }
  bool number_integer(number_integer_t v) override { return value(std::to_string(v)); }
  bool number_unsigned(number_unsigned_t v) override { return value(std::to_string(v)); }
  bool number_float(number_float_t /*v*/, const string_t& /*s*/) override { return value({}); }
  bool string(string_t& v) override { return value(v); }
  bool binary(binary_t& /*v*/) override { return value({}); }
  bool start_object(std::size_t /*n*/) override {
    stack_.push_back({true, {}});
    return true;
  }
  bool key(string_t& k) override {
    stack_.back().key = k;
    return true;
  }
  bool end_object() override {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t /*n*/) override {
    stack_.push_back({false, {}});
    return true;
  }
  bool end_array() override {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t /*pos*/, const std::string& /*token*/,
                   const nlohmann::detail::exception& /*e*/) override {
    return false;
  }

private:
  struct Level {
    bool object;
    std::string key;
  };

  bool value(const std::string& v) {
    for (std::size_t i = 0; i < paths_.size(); ++i) {
      const auto& p = paths_[i];
      if (p.size() != stack_.size())
        continue;
      bool match = true;
      for (std::size_t d = 0; d < p.size() && match; ++d)
        match = stack_[d].object && stack_[d].key == p[d];
      if (match && out_[i].empty()) {
        out_[i] = v;
        ++found_;
      }
    }
    // Stop reading once every field is found (GitHub's "action" comes first).
    return found_ < paths_.size();
  }

public:
  [[nodiscard]] bool complete() const noexcept { return found_ == paths_.size(); }

private:
  std::size_t found_ = 0;

  const std::vector<std::vector<std::string_view>>& paths_;
  std::vector<std::string>& out_;
  std::vector<Level> stack_;
};

} // namespace

std::vector<std::string> json_fields(std::string_view body,
                                     const std::vector<std::vector<std::string_view>>& paths) {
  std::vector<std::string> out(paths.size());
  if (util::json_nesting_exceeds(body, kMaxJsonDepth))
    return out;
  std::vector<std::string> found(paths.size());
  FieldGrabber grabber(paths, found);
  // A complete set ends the parse early (sax_parse then reports false); otherwise only a body
  // that parses to the end is trusted.
  if (nlohmann::json::sax_parse(body, &grabber, nlohmann::json::input_format_t::json, false) ||
      grabber.complete())
    out = std::move(found);
  return out;
}

std::string json_text(const nlohmann::json& j, std::string_view key) {
  if (!j.is_object())
    return {};
  const auto it = j.find(key);
  if (it == j.end())
    return {};
  if (it->is_string())
    return it->get<std::string>();
  if (it->is_number_integer())
    return it->dump();
  return {};
}

std::vector<std::pair<std::string, std::string>> parse_form(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> out;
  if (body.empty())
    return out;
  for (const auto part : util::split(body, '&')) {
    if (part.empty())
      continue;
    const auto eq = part.find('=');
    if (eq == std::string_view::npos)
      out.emplace_back(util::form_decode(part), "");
    else
      out.emplace_back(util::form_decode(part.substr(0, eq)),
                       util::form_decode(part.substr(eq + 1)));
  }
  return out;
}

std::optional<std::string> form_field(std::string_view body, std::string_view name) {
  for (auto& [k, v] : parse_form(body))
    if (k == name)
      return std::move(v);
  return std::nullopt;
}

bool is_form(const core::Headers& headers) {
  const auto ct = core::find_header(headers, "Content-Type");
  return ct && util::starts_with(util::to_lower(*ct), "application/x-www-form-urlencoded");
}

void corrupt_at(std::string& value, std::size_t pos) {
  if (value.empty()) {
    value = "0";
    return;
  }
  pos = std::min(pos, value.size() - 1);
  char& c = value[pos];
  // Stay inside the hex/base64 alphabet so the header still parses and only the MAC is wrong.
  if (c >= '0' && c <= '8')
    ++c;
  else if (c == '9')
    c = '0';
  else if (c >= 'a' && c <= 'e')
    ++c;
  else if (c == 'f')
    c = 'a';
  else if ((c >= 'A' && c <= 'Y') || (c >= 'g' && c <= 'y'))
    ++c;
  else
    c = 'A';
}

Verdict valid() {
  return {VerdictStatus::valid, {}};
}
Verdict invalid(std::string reason) {
  return {VerdictStatus::invalid, std::move(reason)};
}

} // namespace detail
} // namespace hooktool::providers
