// Precompiled for the test suites (HOOKTOOL_PCH): what the layer libraries' header has, plus
// GoogleTest and cpp-httplib (each about 2 s to parse in every translation unit).
#pragma once
#include "hooktool_pch.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <httplib.h>
#include <iostream>
#include <regex>
#include <thread>
