# BpftoolsStaticRuntime.cmake: the shipped programs (tools/, linux_tools/) link the C++
# runtime (libstdc++, libgcc), fmt and Boost.Program_options statically, so that the dynamic
# loader maps and relocates only glibc at start-up (and libedit for bpf_dbg): with the four
# C++ libraries shared, an empty `filter` run cost about twice cat's CPU (bench/README.md,
# "filter against cat"). glibc stays shared: the capture library loads libpcap (C, no C++
# runtime of its own) with dlopen(), which a static glibc cannot do safely.
#
#   bpftools_static_runtime(TARGET)   for each shipped program
#
# Everything else (the test programs, the benchmarks, and the installed libraries' CMake
# package and libbpfgen.pc) links fmt::fmt and Boost::program_options as before. The choice is
# made per program: the libraries link the targets below, whose link interface picks the
# static or the shared library by the BPFTOOLS_STATIC_RUNTIME property of the program being
# linked ($<TARGET_PROPERTY> in a link interface is read on the target being linked).
#   bpftools_fmt                       fmt for the build tree (the install interface: fmt::fmt)
#   bpftools_boost_program_options     Boost.Program_options
option(BPFTOOLS_STATIC_RUNTIME
       "Link the programs with a static libstdc++, fmt and Boost.Program_options (glibc stays shared)"
       ON)
set(BPFTOOLS_STATIC_RUNTIME_ACTIVE ${BPFTOOLS_STATIC_RUNTIME})
if(BPFTOOLS_STATIC_RUNTIME AND (BPFTOOLS_SANITIZE OR BPFTOOLS_FUZZ))
  # The sanitizers' shared runtimes replace operator new and delete and expect the shared
  # libstdc++ they were built with.
  message(STATUS "BPFTOOLS_STATIC_RUNTIME is ignored in a sanitized build: the programs link "
                 "the shared C++ runtime, fmt and Boost")
  set(BPFTOOLS_STATIC_RUNTIME_ACTIVE OFF)
endif()

set(static_runtime_wanted $<BOOL:$<TARGET_PROPERTY:BPFTOOLS_STATIC_RUNTIME>>)
add_library(bpftools_fmt INTERFACE)
add_library(bpftools_boost_program_options INTERFACE)
if(BPFTOOLS_STATIC_RUNTIME_ACTIVE)
  # Debian has no libfmt.a: fmt's compiled part, from the system's headers, compiled here.
  # Position independent, as the programs are (Debian's gcc makes PIE by default).
  add_library(bpftools_fmt_static STATIC ${CMAKE_CURRENT_LIST_DIR}/fmt_compiled_part.cpp)
  # Built only when a program links it (not for a build of the libraries alone).
  set_target_properties(bpftools_fmt_static PROPERTIES POSITION_INDEPENDENT_CODE ON
                                                       EXCLUDE_FROM_ALL ON)
  target_include_directories(bpftools_fmt_static SYSTEM PUBLIC
    $<TARGET_PROPERTY:fmt::fmt,INTERFACE_INCLUDE_DIRECTORIES>)
  target_compile_features(bpftools_fmt_static PUBLIC cxx_std_20)

  # Debian's libboost_program_options.a is built with -fPIC, so it links into a PIE.
  get_target_property(boost_shared_library Boost::program_options LOCATION)
  get_filename_component(boost_library_dir "${boost_shared_library}" DIRECTORY)
  find_library(BPFTOOLS_BOOST_PROGRAM_OPTIONS_STATIC NAMES libboost_program_options.a
               HINTS ${boost_library_dir} NO_DEFAULT_PATH)
  if(NOT BPFTOOLS_BOOST_PROGRAM_OPTIONS_STATIC)
    message(FATAL_ERROR "BPFTOOLS_STATIC_RUNTIME needs libboost_program_options.a "
                        "(libboost-program-options-dev), or -DBPFTOOLS_STATIC_RUNTIME=OFF")
  endif()
  add_library(bpftools_boost_program_options_static STATIC IMPORTED)
  set_target_properties(bpftools_boost_program_options_static PROPERTIES
    IMPORTED_LOCATION ${BPFTOOLS_BOOST_PROGRAM_OPTIONS_STATIC})
  target_link_libraries(bpftools_boost_program_options_static INTERFACE Boost::headers)

  target_link_libraries(bpftools_fmt INTERFACE
    $<IF:${static_runtime_wanted},bpftools_fmt_static,fmt::fmt>)
  target_link_libraries(bpftools_boost_program_options INTERFACE
    $<IF:${static_runtime_wanted},bpftools_boost_program_options_static,Boost::program_options>)
else()
  target_link_libraries(bpftools_fmt INTERFACE fmt::fmt)
  target_link_libraries(bpftools_boost_program_options INTERFACE Boost::program_options)
endif()

function(bpftools_static_runtime target)
  if(BPFTOOLS_STATIC_RUNTIME_ACTIVE)
    set_target_properties(${target} PROPERTIES BPFTOOLS_STATIC_RUNTIME ON)
    target_link_options(${target} PRIVATE -static-libstdc++ -static-libgcc)
  endif()
endfunction()
