// The translation unit of the targets that own the precompiled headers (hooktool_pch and
// hooktool_test_pch in CMakeLists.txt): they compile no code of their own.
