# Writes generated/myelin/version.hpp with the commit the build is made from, at every build
# (a custom target runs this script): taken at configure time only, the sha went stale after the
# next commit and benchmark JSON named the wrong build. "-dirty" marks uncommitted changes to
# tracked files. configure_file rewrites the header only when its text changes, so an unchanged
# commit recompiles nothing.
#   cmake -DSOURCE_DIR=... -DOUTPUT=... -DPROJECT_VERSION=... [-DGIT_EXECUTABLE=...] -P this
set(MYELIN_GIT_SHA "unknown")
if(GIT_EXECUTABLE AND EXISTS "${SOURCE_DIR}/.git")
  execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --short=12 HEAD
    WORKING_DIRECTORY "${SOURCE_DIR}" OUTPUT_VARIABLE sha RESULT_VARIABLE rc
    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(rc EQUAL 0 AND sha)
    set(MYELIN_GIT_SHA "${sha}")
    execute_process(COMMAND "${GIT_EXECUTABLE}" status --porcelain --untracked-files=no
      WORKING_DIRECTORY "${SOURCE_DIR}" OUTPUT_VARIABLE changes RESULT_VARIABLE rc
      OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(rc EQUAL 0 AND changes)
      string(APPEND MYELIN_GIT_SHA "-dirty")
    endif()
  endif()
endif()
configure_file("${SOURCE_DIR}/cmake/version.hpp.in" "${OUTPUT}" @ONLY)
