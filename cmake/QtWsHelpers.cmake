# Shared build settings for every qtws target.

# Compile options every target of ours gets: Qt's strict string and keyword rules, warnings.
function(qtws_target_defaults target)
    target_compile_definitions(${target} PRIVATE
        QT_NO_KEYWORDS
        QT_NO_CAST_FROM_ASCII
        QT_NO_CAST_TO_ASCII
        QT_NO_CAST_FROM_BYTEARRAY
        QT_NO_URL_CAST_FROM_STRING
        QT_USE_QSTRINGBUILDER)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
        -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual)
    if(QTWS_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()

# The C++ that qt_add_qml_module generates for target (type registrations, the plugin class)
# is Qt's, not ours to keep warning-free: -Werror is lifted for those files only.
function(qtws_relax_generated_qml_sources target)
    get_target_property(sources ${target} SOURCES)
    foreach(source IN LISTS sources)
        if(source MATCHES "(qmltyperegistrations|_plugin)\\.cpp$")
            set_source_files_properties(${source} PROPERTIES COMPILE_OPTIONS "-Wno-error")
        endif()
    endforeach()
endfunction()

# One layer of the library: an OBJECT library named qtws_<layer> that the shared QtWs library
# combines. Each layer links only what it may use, so a forbidden include fails to compile.
#   qtws_add_layer(protocol SOURCES a.cpp b.cpp LIBS Qt6::Core ZLIB::ZLIB)
function(qtws_add_layer layer)
    cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
    set(target qtws_${layer})
    add_library(${target} OBJECT ${ARG_SOURCES})
    target_include_directories(${target} PUBLIC
        $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
        $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>)
    target_link_libraries(${target} PUBLIC ${ARG_LIBS})
    target_compile_definitions(${target} PRIVATE QTWS_BUILD_LIBRARY)
    qtws_target_defaults(${target})
endfunction()

# A Qt Test unit: one executable per tst_<unit>.cpp, registered with ctest under LABELS.
#   qtws_add_test(tst_conn.cpp LIBS qtws_protocol LABELS unit)
function(qtws_add_test source)
    cmake_parse_arguments(ARG "" "TIMEOUT" "LIBS;LABELS" ${ARGN})
    get_filename_component(name ${source} NAME_WE)
    add_executable(${name} ${source})
    target_link_libraries(${name} PRIVATE Qt6::Test ${ARG_LIBS})
    qtws_target_defaults(${name})
    add_test(NAME ${name} COMMAND ${name})
    if(NOT ARG_LABELS)
        set(ARG_LABELS unit)
    endif()
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 120)
    endif()
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
endfunction()

# Every tst_*.cpp in the calling directory becomes a test linking LIBS.
function(qtws_add_tests_in_directory)
    cmake_parse_arguments(ARG "" "" "LIBS;LABELS" ${ARGN})
    file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/tst_*.cpp)
    foreach(source IN LISTS sources)
        qtws_add_test(${source} LIBS ${ARG_LIBS} LABELS ${ARG_LABELS})
    endforeach()
endfunction()

# Note: linking an OBJECT library brings its objects only to the target that links it
# directly, not transitively: a test of an upper layer lists every layer below it in LIBS.
