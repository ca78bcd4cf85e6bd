# Writes hooktool(1) by running the built binary: cmake -DBIN=... -DOUT=... -P man_page.cmake
execute_process(COMMAND "${BIN}" --man OUTPUT_FILE "${OUT}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "hooktool --man failed: ${rc}")
endif()
