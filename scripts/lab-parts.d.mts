export interface LabPart {
  /** The chunk's name: `lab` for the first part (the opening, with the shell), else `part-<id>`. */
  readonly name: string;
  /** The modules the part starts from, as paths from the repository root. */
  readonly roots: string[];
}
export function labParts(html?: string): LabPart[];
/** Elements a section imports on demand: each a chunk named after its tag, rooted at its module. */
export function onDemandElements(): LabPart[];
export function labCodeSplitting(
  parts?: LabPart[],
  embedEntry?: string,
  onDemand?: LabPart[],
): import('rolldown').OutputOptions['codeSplitting'];
