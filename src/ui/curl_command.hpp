#pragma once

#include "model/http.hpp"

#include <string>
#include <string_view>

namespace hooktool::ui {

// The bytes as a printf(1) format inside single quotes ('…'): printable ASCII and UTF-8 text kept,
// '\\' and '%' doubled, '\'', a leading '-', controls, DEL, C1 controls and bytes outside UTF-8 as
// three-digit octal escapes. `printf FORMAT` writes back exactly the bytes, NUL included, in sh,
// bash and zsh; the text itself holds no byte a terminal acts on.
std::string printf_format(std::string_view bytes);

// One shell word for the bytes: 'text' when that is terminal-safe, else "$(printf '…')" (a
// trailing line break would be lost: header values, methods and URLs cannot hold one).
std::string shell_word(std::string_view bytes);

// A ready-to-run POSIX sh command for the request: `printf '…' | curl … --data-binary @-` (the
// exact body through a pipe: no argument-size limit, and a body starting with '@' is not read
// as a file name), or `--data-binary @FILE` when body_file is not empty. Every value from the
// request is quoted; nothing in it is expanded or run, and the text holds no control byte.
std::string to_curl(const model::HttpRequest& request, const std::string& body_file);

} // namespace hooktool::ui
