# BpftoolsComponent.cmake: bpftools_component(), one folder of code as one static library
# whose headers are reachable only through the target graph.
#
#   bpftools_component(TARGET OUTPUT_NAME name INCLUDE_PATH path FOLDER folder
#                      [USES target...] [LINKS library...] [PRIVATE_LINKS library...])
#
# FOLDER's headers are included as "INCLUDE_PATH/NAME.h" (e.g. "libbpfgen/cbpf/program.h").
# The component does not put the source tree on the include path: it gets an include root of
# its own, PROJECT_BINARY_DIR/include/TARGET, holding one link INCLUDE_PATH -> FOLDER. So a
# file sees the headers of its own component and of the components it USES (PUBLIC links),
# and an #include of anything else fails to compile: the dependency arrows of the README's
# layout table are enforced by the build. Headers in FOLDER/detail/ are the component's
# internals: reachable by the component and its tests, never installed; the others are its
# public headers (FILE_SET HEADERS), installed under include/bpftools/INCLUDE_PATH.
function(bpftools_component target)
  cmake_parse_arguments(arg "" "OUTPUT_NAME;INCLUDE_PATH;FOLDER" "USES;LINKS;PRIVATE_LINKS" ${ARGN})
  bpftools_glob(sources ${arg_FOLDER}/*.cpp)
  bpftools_glob(headers ${arg_FOLDER}/*.h)
  bpftools_glob(detail_headers ${arg_FOLDER}/detail/*.h)

  set(root ${PROJECT_BINARY_DIR}/include/${target})
  set(link ${root}/${arg_INCLUDE_PATH})
  get_filename_component(link_parent ${link} DIRECTORY)
  file(MAKE_DIRECTORY ${link_parent})
  file(CREATE_LINK ${arg_FOLDER} ${link} SYMBOLIC)

  # The public headers as seen through the link, so that FILE_SET paths are under its root.
  set(public_headers)
  foreach(header IN LISTS headers)
    get_filename_component(name ${header} NAME)
    list(APPEND public_headers ${link}/${name})
  endforeach()

  add_library(${target} STATIC ${sources})
  add_library(bpftools::${target} ALIAS ${target})
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${arg_OUTPUT_NAME})
  target_sources(${target} PUBLIC FILE_SET HEADERS BASE_DIRS ${root} FILES ${public_headers})
  target_sources(${target} PRIVATE ${detail_headers})
  target_include_directories(${target} PUBLIC
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/bpftools>)
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_link_libraries(${target} PUBLIC ${arg_USES} ${arg_LINKS} PRIVATE ${arg_PRIVATE_LINKS})
  install(TARGETS ${target} EXPORT bpftoolsTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          FILE_SET HEADERS DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/bpftools)
endfunction()
