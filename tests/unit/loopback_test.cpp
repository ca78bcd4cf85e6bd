// The one loopback check: exact addresses and the exact name, never a prefix.
#include "net/loopback.hpp"

#include <gtest/gtest.h>

namespace {

using hooktool::net::is_loopback_host;
using hooktool::net::is_loopback_peer;

TEST(Loopback, TheLoopbackAddressesAndNameAre) {
  for (const auto* host :
       {"127.0.0.1", "127.0.0.2", "127.255.255.254", "127.1.2.3", "::1", "[::1]", "0:0:0:0:0:0:0:1",
        "::ffff:127.0.0.1", "[::ffff:127.9.9.9]", "localhost", "LocalHost", "localhost."})
    EXPECT_TRUE(is_loopback_host(host)) << host;
}

TEST(Loopback, LookAlikesAreNot) {
  for (const auto* host : {"127.0.0.1.evil.com",
                           "127.example.com",
                           "127.",
                           "127",
                           "127.1",
                           "127.0.0.1:80",
                           "0x7f.0.0.1",
                           "0177.0.0.1",
                           "127.000.000.001",
                           "127.0.0.1 ",
                           " 127.0.0.1",
                           "localhost.example",
                           "localhost.evil.com",
                           "mylocalhost",
                           "localhost..",
                           "localhos",
                           "[127.0.0.1]",
                           "::2",
                           "::ffff:10.0.0.1",
                           "128.0.0.1",
                           "10.0.0.1",
                           "0.0.0.0",
                           "::",
                           "",
                           "[]",
                           "[::1",
                           "example.com"})
    EXPECT_FALSE(is_loopback_host(host)) << host;
  EXPECT_FALSE(is_loopback_host(std::string_view("127.0.0.1\0.evil", 15)));
}

TEST(Loopback, PeerAddressesWithPorts) {
  EXPECT_TRUE(is_loopback_peer("127.0.0.1:5000"));
  EXPECT_TRUE(is_loopback_peer("[::1]:5000"));
  EXPECT_TRUE(is_loopback_peer("[::ffff:127.0.0.1]:5000"));
  EXPECT_TRUE(is_loopback_peer("::1"));
  EXPECT_FALSE(is_loopback_peer("10.0.0.1:5000"));
  EXPECT_FALSE(is_loopback_peer("127.0.0.1.evil.com:80"));
  EXPECT_FALSE(is_loopback_peer("[::2]:5000"));
  EXPECT_FALSE(is_loopback_peer("[::1:5000"));
}

} // namespace
