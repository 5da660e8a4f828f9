// What the build profile compiled in (kernel/init/profiles/*.json name the
// constants; scripts/build passes them to asc with --use). A branch on a
// constant that is false is never compiled: the default kernel carries no
// self-test or benchmark code at all.

// @ts-ignore: defined only by profiles that include the tests
export const WITH_TESTS: bool = isDefined(WISP_TESTS) && WISP_TESTS != 0;
