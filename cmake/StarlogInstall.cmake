# Installs what another project needs to use starlog: the public headers, the
# static (position-independent) libraries, the starlog binary, and a CMake
# package:
#
#   find_package(starlog REQUIRED)
#   target_link_libraries(app PRIVATE starlog::engine)   # or codec, ingest,
#                                                         # replication, service
#
# starlogConfig.cmake finds the libraries' own dependencies (RocksDB,
# FlatBuffers, Boost, OpenSSL, xxHash, ERFA, cfitsio) as the build did.
include(CMakePackageConfigHelpers)

set(starlog_libraries codec engine ingest replication service)
foreach(lib IN LISTS starlog_libraries)
  set_target_properties(starlog_${lib} PROPERTIES EXPORT_NAME ${lib})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${lib}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(TARGETS starlog_${lib} EXPORT starlogTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
endforeach()
# net's headers are private to replication and service; its library is
# needed to link them.
set_target_properties(starlog_net PROPERTIES EXPORT_NAME net)
install(TARGETS starlog_net EXPORT starlogTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
# How engine links RocksDB (top-level CMakeLists.txt): shared, unless the
# consumer sets STARLOG_STATIC_ROCKSDB on its program.
set_target_properties(starlog_rocksdb PROPERTIES EXPORT_NAME rocksdb)
install(TARGETS starlog_rocksdb EXPORT starlogTargets)
install(TARGETS starlog RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set(starlog_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/starlog)
install(EXPORT starlogTargets NAMESPACE starlog:: DESTINATION ${starlog_cmake_dir})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/starlogConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/starlogConfig.cmake
                              INSTALL_DESTINATION ${starlog_cmake_dir})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/starlogConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/starlogConfig.cmake ${CMAKE_BINARY_DIR}/starlogConfigVersion.cmake
        DESTINATION ${starlog_cmake_dir})
