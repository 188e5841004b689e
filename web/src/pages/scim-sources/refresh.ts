/** How often a source's page reads it again while open: a source works in the background. */
export const REFRESH_MS = 5000;
