# BpftoolsManPages.cmake: a manual page for every program, made at build time from its own
# --help by cmake/help_to_man.py (so the page cannot drift from the program) and installed
# into share/man/man1. Every program is in section 1, bpf_asm included: it assembles files
# for any user, it administers nothing (section 8). BPFTOOLS_MAN_PAGES=OFF builds none; on,
# the build needs python3 and refuses to configure without it.
option(BPFTOOLS_MAN_PAGES "Make and install a manual page per program from its --help" ON)
if(BPFTOOLS_MAN_PAGES AND (BPFTOOLS_TOOLS OR BPFTOOLS_TESTS) AND NOT BPFTOOLS_FUZZ)
  if(CMAKE_CROSSCOMPILING)
    message(WARNING "bpftools: no manual pages: they are made by running the programs, "
                    "which a cross build cannot (-DBPFTOOLS_MAN_PAGES=OFF silences this)")
    set(BPFTOOLS_MAN_PAGES OFF)
  else()
    find_package(Python3 COMPONENTS Interpreter)
    if(NOT Python3_Interpreter_FOUND)
      message(FATAL_ERROR "bpftools: the manual pages are made by cmake/help_to_man.py, which "
                          "needs python3: install it (apt-get install python3) or configure "
                          "with -DBPFTOOLS_MAN_PAGES=OFF")
    endif()
  endif()
endif()

# bpftools_man_page(TARGET [GENERATORS]): TARGET.1 from `TARGET --help`, built with the
# program and installed with it; GENERATORS adds each listed generator's own help (bpfgen).
function(bpftools_man_page target)
  if(NOT BPFTOOLS_MAN_PAGES)
    return()
  endif()
  set(extra)
  if("GENERATORS" IN_LIST ARGN)
    set(extra --generators)
  endif()
  set(page ${PROJECT_BINARY_DIR}/man/man1/${target}.1)
  set(script ${PROJECT_SOURCE_DIR}/cmake/help_to_man.py)
  add_custom_command(
    OUTPUT ${page}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man/man1
    COMMAND Python3::Interpreter ${script} --program $<TARGET_FILE:${target}> --section 1
            --version ${PROJECT_VERSION} --output ${page} ${extra}
    DEPENDS ${target} ${script}
    COMMENT "Manual page ${target}.1"
    VERBATIM)
  add_custom_target(${target}_man_page ALL DEPENDS ${page})
  install(FILES ${page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endfunction()
