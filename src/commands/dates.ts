// The period options moved to ./options.ts with the other shared options; this name is kept so
// that code written against it before the move still builds. New code imports ./options.js.
export { dateRange, withPeriodOptions } from './options.js';
