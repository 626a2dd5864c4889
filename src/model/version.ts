/** The version of the stored project and execution documents that this build writes (see src/schema). */
export const CURRENT_SCHEMA_VERSION = 1;
