export declare function elementModules(): Record<string, string>;
