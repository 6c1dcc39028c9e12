export declare const BUDGETS: {
  readonly 'grad-activation-plot': number;
  readonly 'grad-depth-sweep': number;
  readonly lab: number;
};
export declare const LOADER_BUDGET: number;
export declare function elementCost(
  libDir: string,
  tag: string,
  options?: { runs?: boolean },
): { files: Set<string>; gzip: number };
export declare function labCost(appDir: string): { files: Set<string>; gzip: number };
export declare function closure(entry: string): { files: Set<string>; workers: Set<string> };
export declare function bytes(files: Iterable<string>): number;
