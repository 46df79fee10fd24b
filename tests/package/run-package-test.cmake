# cmake -P script: install, then build and run the consumer project against the install.
set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})

function(run)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "failed (${rc}): ${ARGN}")
    endif()
endfunction()

run(${CMAKE_COMMAND} --install ${QTWS_BUILD_DIR} --prefix ${prefix})
run(${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR} -B ${WORK_DIR}/consumer -G ${GENERATOR}
    -DCMAKE_PREFIX_PATH=${prefix}
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
    "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
    "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}")
run(${CMAKE_COMMAND} --build ${WORK_DIR}/consumer)
run(${WORK_DIR}/consumer/consumer)

# The QML module: a QML app built outside the tree loads `import QtWs` from the prefix, offscreen.
if(QML_LIBDIR)
    run(${CMAKE_COMMAND} -S ${QML_CONSUMER_SOURCE_DIR} -B ${WORK_DIR}/qmlconsumer -G ${GENERATOR}
        -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
        "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
        "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}")
    run(${CMAKE_COMMAND} --build ${WORK_DIR}/qmlconsumer)
    if(NOT EXISTS ${prefix}/${QML_LIBDIR}/QtWs/qmldir)
        message(FATAL_ERROR "the install has no ${QML_LIBDIR}/QtWs/qmldir")
    endif()
    run(${CMAKE_COMMAND} -E env QT_QPA_PLATFORM=offscreen QML_IMPORT_PATH=${prefix}/${QML_LIBDIR}
        ${WORK_DIR}/qmlconsumer/qmlconsumer)
endif()
