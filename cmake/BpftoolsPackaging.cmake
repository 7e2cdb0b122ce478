# BpftoolsPackaging.cmake: what `cmake --install` and `cpack` make of the build, beyond the
# install() rules next to each target (tools and bpf_asm in bin/, the static libraries in
# lib/, their public headers in include/bpftools/libbpfgen/COMPONENT and
# include/bpftools/generators):
#   lib/cmake/bpftools/   find_package(bpftools): bpftools::libbpfgen, bpftools::generators
#   lib/pkgconfig/        libbpfgen.pc
#   cpack -G DEB          bpftools_VERSION_ARCH.deb, installing under /usr
include(CMakePackageConfigHelpers)

set(BPFTOOLS_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/bpftools)

# The capture library loads libpcap with dlopen(): libbpfgen.pc links the dynamic loader's
# library where it is a library of its own (CMAKE_DL_LIBS; bpftoolsTargets.cmake names it).
set(BPFTOOLS_PC_EXTRA_LIBS "")
foreach(library IN LISTS CMAKE_DL_LIBS)
  string(APPEND BPFTOOLS_PC_EXTRA_LIBS " -l${library}")
endforeach()
# A sanitized static library needs the sanitizer runtimes in whatever links it.
if(BPFTOOLS_SANITIZE OR BPFTOOLS_FUZZ)
  target_link_options(libbpfgen_base INTERFACE $<INSTALL_INTERFACE:-fsanitize=address,undefined>)
  string(APPEND BPFTOOLS_PC_EXTRA_LIBS " -fsanitize=address,undefined")
endif()

install(EXPORT bpftoolsTargets NAMESPACE bpftools:: DESTINATION ${BPFTOOLS_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/packaging/bpftoolsConfig.cmake.in
  ${PROJECT_BINARY_DIR}/packaging/bpftoolsConfig.cmake INSTALL_DESTINATION ${BPFTOOLS_CMAKE_DIR})
# 0.x: a new minor version may break the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/packaging/bpftoolsConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/packaging/bpftoolsConfig.cmake
              ${PROJECT_BINARY_DIR}/packaging/bpftoolsConfigVersion.cmake
        DESTINATION ${BPFTOOLS_CMAKE_DIR})

# libbpfgen.pc is written at install time, for the prefix given then (`cmake --install
# --prefix`, or cpack's /usr), not the one the build was configured with.
string(CONFIGURE [[
  set(PROJECT_DESCRIPTION "@PROJECT_DESCRIPTION@")
  set(PROJECT_VERSION "@PROJECT_VERSION@")
  set(pc_extra_libs "@BPFTOOLS_PC_EXTRA_LIBS@")
  set(pc_prefix "${CMAKE_INSTALL_PREFIX}")
  set(pc_libdir "@CMAKE_INSTALL_LIBDIR@")
  set(pc_includedir "@CMAKE_INSTALL_INCLUDEDIR@")
  foreach(dir pc_libdir pc_includedir)
    if(NOT IS_ABSOLUTE "${${dir}}")
      set(${dir} "\${prefix}/${${dir}}")
    endif()
  endforeach()
  configure_file("@PROJECT_SOURCE_DIR@/packaging/libbpfgen.pc.in"
                 "@PROJECT_BINARY_DIR@/packaging/libbpfgen.pc" @ONLY)
]] pc_code @ONLY)
install(CODE "${pc_code}")
install(FILES ${PROJECT_BINARY_DIR}/packaging/libbpfgen.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# A stripped install (cmake --install --strip, and cpack) drops the static libraries' debug
# information too (most of their size), keeping the symbols they are linked by.
if(CMAKE_STRIP)
  set(BPFTOOLS_LIBRARY_FILES)
  foreach(target libbpfgen_base libbpfgen_cbpf libbpfgen_capture libbpfgen_deploy libbpfgen_ebpf
                 generators)
    list(APPEND BPFTOOLS_LIBRARY_FILES $<TARGET_FILE_NAME:${target}>)
  endforeach()
  string(CONFIGURE [[
    if(CMAKE_INSTALL_DO_STRIP)
      set(libdir "@CMAKE_INSTALL_LIBDIR@")
      if(NOT IS_ABSOLUTE "${libdir}")
        set(libdir "${CMAKE_INSTALL_PREFIX}/${libdir}")
      endif()
      foreach(library IN ITEMS @BPFTOOLS_LIBRARY_FILES@)
        execute_process(COMMAND "@CMAKE_STRIP@" --strip-debug "$ENV{DESTDIR}${libdir}/${library}"
                        COMMAND_ERROR_IS_FATAL ANY)
      endforeach()
    endif()
  ]] strip_code @ONLY)
  install(CODE "${strip_code}")
endif()

# The .deb: one package with the tools and the development files. Depends: the packages
# of the shared libraries the tools link (dpkg -S on what ldd lists; dpkg-shlibdeps gives the
# same with these versions), Debian 12's names, and libpcap0.8: no program links libpcap
# (the capture library loads libpcap.so.0.8 with dlopen() when a run first needs it: an -e
# expression, a pcapng input, a link-type name...), so dpkg-shlibdeps cannot see it and this
# line is the only thing that installs it. With BPFTOOLS_STATIC_RUNTIME (the default) the
# programs link libstdc++, libgcc, fmt and Boost.Program_options statically: only glibc (whose
# 2.36 symbols the static libstdc++ uses) and bpf_dbg's libedit remain. Set
# BPFTOOLS_DEB_DEPENDS for another release, or -DCPACK_DEBIAN_PACKAGE_SHLIBDEPS=ON to compute
# the others with dpkg-shlibdeps.
string(JOIN ", " shared_runtime_depends "libboost-program-options1.74.0 (>= 1.74.0+ds1)"
       "libc6 (>= 2.34)" "libedit2 (>= 2.11-20080614-0)" "libfmt9 (>= 9.1.0+ds1)"
       "libgcc-s1 (>= 3.0)" "libpcap0.8 (>= 1.5.1)" "libstdc++6 (>= 11)")
if(BPFTOOLS_STATIC_RUNTIME_ACTIVE)
  string(JOIN ", " deb_depends "libc6 (>= 2.36)" "libedit2 (>= 2.11-20080614-0)"
         "libpcap0.8 (>= 1.5.1)")
else()
  set(deb_depends "${shared_runtime_depends}")
endif()
set(BPFTOOLS_DEB_DEPENDS "" CACHE STRING
    "Depends: of the .deb cpack makes (empty: Debian 12's packages for this build's options)")
# A build tree configured before the list depended on the options cached the shared runtime's
# list as this variable's value: no choice of the user's, so it is dropped.
if(BPFTOOLS_DEB_DEPENDS STREQUAL shared_runtime_depends)
  set_property(CACHE BPFTOOLS_DEB_DEPENDS PROPERTY VALUE "")
  set(BPFTOOLS_DEB_DEPENDS "")
endif()
if(BPFTOOLS_DEB_DEPENDS)
  set(deb_depends "${BPFTOOLS_DEB_DEPENDS}")
endif()
set(CPACK_PACKAGE_NAME bpftools)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY ${PROJECT_DESCRIPTION})
set(CPACK_PACKAGE_DESCRIPTION "bpfgen and the other bpftools programs, bpf_asm, and the static \
libraries of libbpfgen and its generators with their headers, CMake package and pkg-config \
file.")
if(NOT CPACK_PACKAGE_CONTACT)
  set(CPACK_PACKAGE_CONTACT "bpftools maintainers")
endif()
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES TRUE)  # the programs' symbols, the libraries' debug information
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_DEPENDS ${deb_depends})
set(CPACK_DEBIAN_PACKAGE_SUGGESTS
    "libfmt-dev, pkg-config")
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build/" "/build-[^/]*/" "/\\\\.cache/" "__pycache__")
include(CPack)
