// Test helper: the order of a plain `sort()` (UTF-16 code units), spelled out as a comparator.
// Not used by production code. `sort()` puts undefined last without asking the comparator.
export const codeUnitOrder = (a: string | undefined, b: string | undefined): number => (a! < b! ? -1 : a! > b! ? 1 : 0);
