# Writes the shell completions by running the built binary:
#   cmake -DBIN=... -DOUT_DIR=... -P completions.cmake
# -> OUT_DIR/hooktool.bash, OUT_DIR/_hooktool (zsh), OUT_DIR/hooktool.fish
foreach(pair "bash;hooktool.bash" "zsh;_hooktool" "fish;hooktool.fish")
  list(GET pair 0 shell)
  list(GET pair 1 name)
  execute_process(COMMAND "${BIN}" --completion ${shell} OUTPUT_FILE "${OUT_DIR}/${name}"
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "hooktool --completion ${shell} failed: ${rc}")
  endif()
endforeach()
