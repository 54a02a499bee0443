# bk_testsupport: the test shop, fixed entropy, temporary folders, random
# actions — one library for every test, helper process, fuzzer and
# benchmark (no doctest inside: failures throw).
add_library(bk_testsupport STATIC ${CMAKE_SOURCE_DIR}/tests/support.cpp)
target_link_libraries(bk_testsupport PUBLIC bk_store)
target_include_directories(bk_testsupport PUBLIC ${CMAKE_SOURCE_DIR})
target_compile_definitions(bk_testsupport PRIVATE BK_ASSETS_DIR="${BK_ASSETS_DIR}")
bk_warnings(bk_testsupport)
