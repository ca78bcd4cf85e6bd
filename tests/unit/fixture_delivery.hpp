#pragma once

// A provider's fixture rendered and signed as `send` does it, for the provider tests.
#include "core/compose.hpp"
#include "core/fixtures.hpp"
#include "providers/provider.hpp"

#include <cstdint>
#include <string>

namespace test {

inline hooktool::core::Composed
compose_fixture(const hooktool::providers::Provider& p, const std::string& event,
                const std::string& secret, std::int64_t ts, const std::string& url,
                hooktool::core::Tamper tamper = hooktool::core::Tamper::none) {
  static const hooktool::core::FixtureStore store;
  hooktool::core::PayloadSpec spec;
  spec.fixture_family = std::string(p.fixture_family());
  spec.event = event;
  spec.pretty_json = p.pretty_json();
  spec.now_ms = ts * 1000;
  hooktool::core::ComposeInput in;
  in.provider = &p;
  in.event = event;
  in.payload = hooktool::core::render_payload(store, spec);
  in.url = url;
  in.secret = secret;
  in.timestamp = ts;
  in.tamper = tamper;
  return hooktool::core::compose(in);
}

} // namespace test
