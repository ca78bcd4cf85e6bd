#include "commands/app.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>

int main(int argc, char** argv) {
  const int code = hooktool::commands::run_app(argc, argv);
  // Every command has closed its files and sockets by now; what is left is global teardown
  // (OpenSSL's and libcurl's atexit cleanup, static destructors) that frees memory the
  // kernel reclaims anyway. Flush the output and leave without it.
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(code);
}
