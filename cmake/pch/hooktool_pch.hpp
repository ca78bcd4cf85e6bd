// Precompiled for every layer library (HOOKTOOL_PCH): the standard headers most of src/ uses and
// nlohmann/json, which alone took about 2 s to parse in each translation unit. Each source file
// still includes what it uses; this only makes those includes cheap.
#pragma once
#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
