#include "commands/app.hpp"

int main(int argc, char** argv) {
  return hooktool::commands::run_app(argc, argv);
}
