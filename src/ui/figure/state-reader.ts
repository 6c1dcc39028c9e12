/**
 * How a figure reads its state from its attributes, and writes it back as attributes (for its
 * embed snippet). Most figures read the lab's state (the run spec and the lists it sweeps:
 * LAB_STATE_READER); a figure that needs less reads less, so a page showing it loads less.
 */
import type { SpecError } from '../../engine/spec-rules.ts';

export interface StateReader<S> {
  /** The attributes that set the state. */
  readonly attributes: readonly string[];
  /** The state with no attributes. */
  readonly defaults: S;
  /** Never throws: each bad value is a problem, and that field keeps its default. */
  read(input: Readonly<Record<string, string>>): { state: S; problems: readonly SpecError[] };
  /** The attributes that give `state` (leaving out what equals the defaults). */
  entries(state: S): [string, string][];
}
