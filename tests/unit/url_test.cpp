#include "model/url.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

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

TEST(Url, ABareNumberIsAPortOnLocalhost) {
  EXPECT_EQ(parse_target("3000").str(), "http://localhost:3000/");
  EXPECT_EQ(parse_target("3000").port, 3000);
  EXPECT_THROW((void)parse_target("70000"), Error);
  EXPECT_THROW((void)parse_target("0"), Error);
}

TEST(Url, HostsMustBeNamesOrAddresses) {
  EXPECT_EQ(parse_target("api.example.com:8443/x").host, "api.example.com");
  EXPECT_EQ(parse_target("my_app:3000").host, "my_app"); // Docker Compose service names
  EXPECT_EQ(parse_target("example.com.:80").host, "example.com.");
  EXPECT_EQ(parse_target("10.0.0.255:1").host, "10.0.0.255");
  EXPECT_EQ(parse_target("http://[fe80::1:2]/").host, "fe80::1:2");
  EXPECT_EQ(parse_target("https://xn--bcher-kva.example/").host, "xn--bcher-kva.example");
  EXPECT_EQ(parse_target("localhost:3000/cb?next=http://x/").query, "next=http://x/");
}

std::string url_error(std::string_view text) {
  try {
    (void)parse_target(text);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), hooktool::ExitCode::usage);
    return e.what();
  }
  return "no error";
}

TEST(Url, NotAHostIsAUsageErrorNamingTheInput) {
  EXPECT_EQ(url_error("stirpe:invoice.*=localhost:3000"),
            "invalid URL 'stirpe:invoice.*=localhost:3000': 'stirpe:invoice.*=localhost' is not a "
            "host name or IP address (a forward filter is PROVIDER[:EVENT-GLOB]=URL with a known "
            "provider)");
  EXPECT_EQ(url_error("http://3000/"),
            "invalid URL 'http://3000/': '3000' is not a host name or IP address");
  const std::vector<std::string> bad_urls{"http://127.1/",
                                          "http://0x7f.0.0.1/",
                                          "http://010.0.0.1/",
                                          "http://256.0.0.1/",
                                          "http://1.2.3.4.5/",
                                          "http://-a.com/",
                                          "http://a-.com/",
                                          "http://a..b/",
                                          "http://a%2eb/",
                                          "http://[1.2.3.4]/",
                                          "http://[::1%25eth0]/",
                                          "bücher.example",
                                          "http://:3000/",
                                          "http://x:3000:4000/",
                                          "ftp://x",
                                          "file:///etc/passwd",
                                          "javascript://x",
                                          "http://" + std::string(64, 'a') + ".com/",
                                          "http://" + std::string(254, 'a') + "/"};
  for (const auto& bad : bad_urls) {
    SCOPED_TRACE(bad);
    const auto e = url_error(bad);
    EXPECT_EQ(e.rfind("invalid URL '", 0), 0U) << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  }
  EXPECT_NE(url_error("bücher.example").find("xn--"), std::string::npos);
}

TEST(Url, PathsAreKeptAsWritten) {
  EXPECT_EQ(parse_target("http://x/a/../b/./c%2F?q=%20").str(), "http://x/a/../b/./c%2F?q=%20");
  EXPECT_EQ(parse_target("http://x/?").str(), "http://x/");
  EXPECT_EQ(parse_target("http://x/p#frag").str(), "http://x/p");
}

TEST(Url, StrNeverLetsAPathExtendTheHost) {
  auto url = parse_target("http://localhost:3000");
  url.path = "@127.0.0.1:9/internal";
  EXPECT_EQ(url.str(), "http://localhost:3000/@127.0.0.1:9/internal");
  EXPECT_EQ(parse_target(url.str()).host, "localhost");
}

TEST(Url, AddQueryParam) {
  EXPECT_EQ(add_query_param("http://x/", "a", "1"), "http://x/?a=1");
  EXPECT_EQ(add_query_param("http://x/?b=2", "a", "1"), "http://x/?b=2&a=1");
  EXPECT_EQ(add_query_param("http://x/?", "a", "1"), "http://x/?a=1");
}
