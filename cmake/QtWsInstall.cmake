# The installable CMake package: find_package(QtWs) gives QtWs::QtWs.
include(CMakePackageConfigHelpers)

install(TARGETS QtWs EXPORT QtWsTargets
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/QtWs
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
    FILES_MATCHING PATTERN "*.h")

set(QTWS_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/QtWs)
install(EXPORT QtWsTargets NAMESPACE QtWs:: DESTINATION ${QTWS_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/QtWsConfig.cmake.in
    ${PROJECT_BINARY_DIR}/QtWsConfig.cmake
    INSTALL_DESTINATION ${QTWS_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/QtWsConfigVersion.cmake
    COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/QtWsConfig.cmake ${PROJECT_BINARY_DIR}/QtWsConfigVersion.cmake
    DESTINATION ${QTWS_CMAKE_DIR})
