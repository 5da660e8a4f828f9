// The kernel's version, kept equal to package.json's (a host test checks).
export const WISP_VERSION = "0.1.0";
