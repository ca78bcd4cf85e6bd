#include "model/url.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

using hooktool::Error;
using hooktool::model::add_query_param;
using hooktool::model::parse_target;

TEST(Url, ShortFormsBecomeAbsolute) {
  EXPECT_EQ(parse_target("localhost:3000").str(), "http://localhost:3000/");
  EXPECT_EQ(parse_target(":3000").str(), "http://localhost:3000/");
  EXPECT_EQ(parse_target(":3000/webhooks").str(), "http://localhost:3000/webhooks");
  EXPECT_EQ(parse_target("localhost:3000/webhooks?x=1").str(),
            "http://localhost:3000/webhooks?x=1");
  EXPECT_EQ(parse_target("https://example.com").str(), "https://example.com/");
  EXPECT_EQ(parse_target("HTTP://[::1]:8080/a").str(), "http://[::1]:8080/a");
  EXPECT_EQ(parse_target("example.com?x").str(), "http://example.com/?x");
}

TEST(Url, PartsAndPorts) {
  const auto u = parse_target("https://api.example.com/hooks/in?a=1#frag");
  EXPECT_EQ(u.scheme, "https");
  EXPECT_EQ(u.host, "api.example.com");
  EXPECT_EQ(u.port, 0);
  EXPECT_EQ(u.effective_port(), 443);
  EXPECT_EQ(u.path, "/hooks/in");
  EXPECT_EQ(u.query, "a=1");
  EXPECT_EQ(parse_target("[::1]:9000").host, "::1");
}

TEST(Url, BadInputIsAUsageError) {
  for (const char* bad :
       {"", "ftp://x", "http://[::1", "localhost:", "localhost:99999", "localhost:abc",
        "http://user:pw@host/", "http://a b/", "http://[::1]x"}) {
    SCOPED_TRACE(bad);
    try {
      (void)parse_target(bad);
      ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), hooktool::ExitCode::usage);
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    }
  }
}

TEST(Url, AddQueryParam) {
  EXPECT_EQ(add_query_param("http://x/", "a", "1"), "http://x/?a=1");
  EXPECT_EQ(add_query_param("http://x/?b=2", "a", "1"), "http://x/?b=2&a=1");
  EXPECT_EQ(add_query_param("http://x/?", "a", "1"), "http://x/?a=1");
}
