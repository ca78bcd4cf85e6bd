// What the load engine puts on the wire, and the HMAC path that signs each fresh delivery.
#include "crypto/crypto.hpp"
#include "net/load_engine.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>
#include <random>
#include <set>
#include <string>

using namespace hooktool;

TEST(LoadRequest, SerialisesExactlyTheRequest) {
  model::HttpRequest req;
  req.method = "POST";
  req.url = "http://127.0.0.1:8080/hooks/in?x=1&y=2";
  req.headers = {{"Content-Type", "application/json"}, {"X-Sig", "v1=ab%2Bcd"}, {"X-Empty", ""}};
  req.body = "{\"a\":1}";
  std::string wire;
  net::serialise_request(req, wire);
  EXPECT_EQ(wire, "POST /hooks/in?x=1&y=2 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
                  "Content-Type: application/json\r\nX-Sig: v1=ab%2Bcd\r\nX-Empty:\r\n"
                  "Content-Length: 7\r\n\r\n{\"a\":1}");
}

TEST(LoadRequest, KeepsTheRequestsOwnHostAndLengthAndOmitsDefaultPort) {
  model::HttpRequest req;
  req.url = "http://[::1]/";
  req.headers = {{"Content-Length", "0"}};
  std::string wire = "stale bytes";
  net::serialise_request(req, wire);
  EXPECT_EQ(wire, "POST / HTTP/1.1\r\nHost: [::1]\r\nContent-Length: 0\r\n\r\n");
  req.headers = {{"Host", "example.test"}};
  net::serialise_request(req, wire);
  EXPECT_EQ(wire, "POST / HTTP/1.1\r\nHost: example.test\r\nContent-Length: 0\r\n\r\n");
}

TEST(LoadRequest, RefusesHeadersThatWouldInjectLines) {
  model::HttpRequest req;
  req.url = "http://127.0.0.1:1/";
  req.headers = {{"X-Bad", "a\r\nInjected: 1"}};
  std::string wire;
  EXPECT_THROW(net::serialise_request(req, wire), Error);
}

TEST(LoadRequest, OnlyPlainHttpWithoutRedirectsGoesToTheEngine) {
  net::ClientOptions plain;
  EXPECT_TRUE(net::engine_can_send("http://127.0.0.1:9/", plain));
  EXPECT_FALSE(net::engine_can_send("https://127.0.0.1:9/", plain));
  EXPECT_FALSE(net::engine_can_send("", plain));
  net::ClientOptions follow;
  follow.follow_redirects = true;
  EXPECT_FALSE(net::engine_can_send("http://127.0.0.1:9/", follow));
}

// RFC 4231 test case 6: a key longer than the block is hashed first.
TEST(LoadRequest, HmacKeyMatchesRfc4231) {
  const std::string key(131, '\xaa');
  const std::string data = "Test Using Larger Than Block-Size Key - Hash Key First";
  const crypto::HmacKey k(crypto::Digest::sha256, key);
  EXPECT_EQ(crypto::to_hex(k.mac(data)),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(crypto::to_hex(k.mac(data)),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
      << "the key's state is reusable";
  const crypto::HmacKey jefe(crypto::Digest::sha512, "Jefe");
  EXPECT_EQ(crypto::to_hex(jefe.mac("what do ya want for nothing?")),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f"
            "65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
}

TEST(LoadRequest, HmacCacheGivesTheRightMacWhateverTheKeyOrder) {
  // More keys than the per-thread cache holds, interleaved: every answer must match a fresh
  // HmacKey for that key.
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    const auto key = "key-" + std::to_string(rng() % 9);
    const auto digest = rng() % 2 == 0 ? crypto::Digest::sha1 : crypto::Digest::sha256;
    const auto data = "message " + std::to_string(i);
    EXPECT_EQ(crypto::hmac(digest, key, data), crypto::HmacKey(digest, key).mac(data)) << i;
  }
  EXPECT_EQ(crypto::to_hex(crypto::hmac(crypto::Digest::sha256, "", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(LoadRequest, RandomIdsComeFromTheKernelPool) {
  // Many ids across pool refills: all distinct, the right shape.
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    const auto id = crypto::random_uuid();
    EXPECT_EQ(id.size(), 36u);
    EXPECT_EQ(id[14], '4');
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 2000u);
  EXPECT_EQ(crypto::random_bytes(5000).size(), 5000u);
}
