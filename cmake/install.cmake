# Installation: headers, libraries, the CMake package (Rapport::rapport, Rapport::core) and rapport.pc.
include(CMakePackageConfigHelpers)

set(RAPPORT_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/Rapport")

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/rapport" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
        FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")
install(TARGETS rapport_core rapport
        EXPORT RapportTargets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" NAMELINK_COMPONENT Development
        RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}"
        PUBLIC_HEADER DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(EXPORT RapportTargets NAMESPACE Rapport:: DESTINATION "${RAPPORT_CMAKE_DIR}")

configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/RapportConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/RapportConfig.cmake" INSTALL_DESTINATION "${RAPPORT_CMAKE_DIR}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/RapportConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}" COMPATIBILITY SameMajorVersion)
install(FILES "${PROJECT_BINARY_DIR}/RapportConfig.cmake" "${PROJECT_BINARY_DIR}/RapportConfigVersion.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/FindPhoneNumber.cmake" "${PROJECT_SOURCE_DIR}/cmake/FindRE2.cmake"
        DESTINATION "${RAPPORT_CMAKE_DIR}")

configure_file("${PROJECT_SOURCE_DIR}/cmake/rapport.pc.in" "${PROJECT_BINARY_DIR}/rapport.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/rapport.pc" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
