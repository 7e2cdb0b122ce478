# bpftools_glob(VAR PATTERN...): file(GLOB VAR PATTERN...) without CONFIGURE_DEPENDS. Instead
# of re-globbing on every build (CONFIGURE_DEPENDS: a "Re-checking globbed directories" pass
# that costs seconds on each `ninja` call), the directories the patterns look into become
# dependencies of the build system itself: adding, removing or renaming a file there changes
# the directory's modification time, and the next build (ninja, make or `cmake --build`)
# re-runs CMake, which globs again. Editing a file in place leaves the directory alone and
# only rebuilds what depends on the file. A directory that does not exist yet is watched
# through its nearest existing parent, whose time changes when it is created.
function(bpftools_glob var)
  file(GLOB found ${ARGN})
  foreach(pattern IN LISTS ARGN)
    get_filename_component(directory "${pattern}" DIRECTORY)
    while(NOT IS_DIRECTORY "${directory}")
      get_filename_component(directory "${directory}" DIRECTORY)
    endwhile()
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${directory}")
  endforeach()
  set(${var} ${found} PARENT_SCOPE)
endfunction()
