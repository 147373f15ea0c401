/** Kept by hand in step with package.json; a test checks the two agree. */
export const BIVOUAC_VERSION = '0.1.0';
