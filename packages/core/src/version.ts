/** The Nexa version every package reports (workers send it when they register). */
export const NEXA_VERSION = '0.1.0';
