/** How the library's build groups modules into chunks (see chunk-groups.mjs). */
export const CHUNK_GROUPS: { name: string; test: RegExp }[];
export const codeSplitting: {
  includeDependenciesRecursively: false;
  groups: { name: string; test: RegExp }[];
};
