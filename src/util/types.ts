/**
 * @module util/types
 *
 * Type helpers shared by layers.
 */

/** `T` while it is being filled in: hot paths build results field by field instead of with spreads. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
