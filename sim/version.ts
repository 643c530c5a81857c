/** meshsim's version (kept equal to package.json by a test) and the formats it writes. */
export const MESHSIM_VERSION = '0.1.0';
