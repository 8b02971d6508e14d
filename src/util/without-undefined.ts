/**
 * zod's optional fields are `T | undefined`; with exactOptionalPropertyTypes
 * an absent key and an undefined value differ. This drops undefined values so
 * parsed input can be passed where keys are optional.
 */
export type WithoutUndefined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

export function withoutUndefined<T extends object>(value: T): WithoutUndefined<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as WithoutUndefined<T>;
}
