/**
 * The streaming reader of run files: bytes in, in chunks of any size (a Blob's stream, a Node read
 * stream); checked records out, into the columnar arrays of run-data.ts. Memory stays at the
 * arrays plus one line, so a file of hundreds of megabytes is read in one pass, in a worker.
 *
 * A file that is not a run file at all (not JSON, another format, a newer version, a broken
 * header) is refused at line 1 (`fatal`), and the rest of it is not read. A bad step line is
 * skipped with an error naming its line and field; the lines around it are imported. A file cut
 * off mid-line keeps the records before the cut, with a warning.
 */
import { RunBuilder, type ImportedRun } from './run-data.ts';
import {
  FieldError,
  readHeader,
  readStepRecord,
  shown,
  type RunFileHeader,
  type RunProblem,
} from './run-format.ts';

export interface RunParseProgress {
  /** Bytes (or, for string chunks, characters) read so far. */
  readonly bytes: number;
  readonly lines: number;
  readonly records: number;
}

export interface RunParseResult {
  /** The imported run; null when the file was refused (see fatal). */
  readonly run: ImportedRun | null;
  /** The problem that stopped the import, or null. */
  readonly fatal: RunProblem | null;
  /** Every problem kept (the first maxProblems), fatal included, in line order. */
  readonly problems: readonly RunProblem[];
  /** Problems found in all, including those beyond maxProblems. */
  readonly problemCount: number;
}

export interface RunParserOptions {
  /** Problems kept in detail (default 200); the rest are counted. */
  readonly maxProblems?: number;
  /** The longest line accepted, in characters (default 64 Mi). */
  readonly maxLineLength?: number;
}

const DEFAULT_MAX_PROBLEMS = 200;
const DEFAULT_MAX_LINE = 64 * 1024 * 1024;

/** Control characters (line breaks among them) as JSON escapes: a message stays one line. */
function escapeControls(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** JSON.parse's message, which quotes the line: its control characters (a lone \r) escaped. */
function jsonError(error: unknown): string {
  return escapeControls(error instanceof Error ? error.message : String(error));
}

/** The non-finite numbers JSON has no literal for, as Python's json.dumps writes them bare. */
const BARE_NON_FINITE = /^(?:NaN|-?Infinity)/;

/** A line with its bare NaN / Infinity / -Infinity written as the format's strings instead. */
export interface BareNonFinite {
  /** The line's value, each bare token read as the string the format uses ("NaN", …). */
  readonly value: unknown;
  /** The JSON path of each field that held a bare token (e.g. "layers[3].gradNorm"). */
  readonly fields: readonly string[];
  /** The tokens, in the same order. */
  readonly tokens: readonly string[];
}

/**
 * Reads a line that is not JSON only because of bare NaN, Infinity or -Infinity (what Python's
 * json.dumps writes unless allow_nan=False): each such token outside a string is read as the
 * string "NaN", "Infinity" or "-Infinity", the format's way to write it, and its field is named.
 * Null when the line has no such token, or is not JSON for another reason as well.
 */
export function readBareNonFinite(line: string): BareNonFinite | null {
  if (!/NaN|Infinity/.test(line)) return null;
  const tokens: string[] = [];
  let text = '';
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (inString) {
      text += c;
      if (c === '\\') {
        text += line[i + 1] ?? '';
        i++;
      } else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      text += c;
      continue;
    }
    const token =
      c === 'N' || c === 'I' || c === '-' ? BARE_NON_FINITE.exec(line.slice(i, i + 9))?.[0] : null;
    if (token) {
      // A sentinel no writer produces: a control character, which JSON strings cannot hold raw.
      text += JSON.stringify(`\u0000${tokens.length}`);
      tokens.push(token);
      i += token.length - 1;
      continue;
    }
    text += c;
  }
  if (tokens.length === 0) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  // A key is named as written unless it holds a control character (then JSON-escaped).
  const named = (key: string): string =>
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f]/.test(key) ? JSON.stringify(key) : key;
  const fields: string[] = new Array<string>(tokens.length).fill('');
  const visit = (value: unknown, path: string): unknown => {
    const index = typeof value === 'string' && value[0] === '\u0000' ? Number(value.slice(1)) : -1;
    if (Number.isInteger(index) && index >= 0 && index < tokens.length) {
      fields[index] = path;
      return tokens[index];
    }
    if (Array.isArray(value)) return value.map((item, i) => visit(item, `${path}[${i}]`));
    if (typeof value === 'object' && value !== null)
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [
          key,
          visit(item, path ? `${path}.${named(key)}` : named(key)),
        ]),
      );
    return value;
  };
  let value: unknown;
  try {
    value = visit(parsed, '');
  } catch (error) {
    // Nested deeper than the stack (JSON.parse itself is not recursive): not a line of the format.
    if (error instanceof RangeError) return null;
    throw error;
  }
  return { value, fields, tokens };
}

export class RunFileParser {
  private readonly decoder = new TextDecoder('utf-8');
  private pending = '';
  private lineNumber = 0;
  private bytes = 0;
  private started = false;
  private builder: RunBuilder | null = null;
  private endLine = 0;
  private endCounts: { steps: number; records: number } | null = null;
  private fatalProblem: RunProblem | null = null;
  private readonly problemList: RunProblem[] = [];
  private problemTotal = 0;
  private finished = false;
  private readonly maxProblems: number;
  private readonly maxLineLength: number;

  constructor(options: RunParserOptions = {}) {
    this.maxProblems = options.maxProblems ?? DEFAULT_MAX_PROBLEMS;
    this.maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE;
  }

  /** The header, once line 1 has been read and checked. */
  get header(): RunFileHeader | null {
    return this.builder?.header ?? null;
  }

  get fatal(): RunProblem | null {
    return this.fatalProblem;
  }

  get progress(): RunParseProgress {
    return { bytes: this.bytes, lines: this.lineNumber, records: this.builder?.recordCount ?? 0 };
  }

  /** Reads the next chunk. After a fatal problem the rest of the file is ignored. */
  push(chunk: Uint8Array | string): void {
    if (this.finished) throw new Error('RunFileParser: push after finish');
    if (this.fatalProblem) return;
    this.bytes += typeof chunk === 'string' ? chunk.length : chunk.byteLength;
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    this.consume(text);
  }

  /** Ends the file: reads a last line without a newline, and returns the run and problems. */
  finish(): RunParseResult {
    if (!this.finished) {
      this.finished = true;
      if (!this.fatalProblem) {
        this.consume(this.decoder.decode());
        // The last characters may complete a refusal (a line over the limit, a file not JSON).
        if (!this.fatalProblem) this.finishLastLine();
        this.finishChecks();
      }
    }
    return {
      run: this.fatalProblem || !this.builder ? null : this.builder.build(this.endLine > 0),
      fatal: this.fatalProblem,
      problems: this.problemList,
      problemCount: this.problemTotal,
    };
  }

  private consume(text: string): void {
    let buffer = this.pending + text;
    if (!this.started) {
      const body = buffer.replace(/^\uFEFF/, '').trimStart();
      if (body.length === 0) {
        this.pending = buffer;
        return;
      }
      // The refusal quotes the first 12 characters, whatever the chunks: wait for them.
      if (body[0] !== '{' && body.length < 12 && !this.finished) {
        this.pending = buffer;
        return;
      }
      this.started = true;
      if (body[0] !== '{') {
        // The first line that is not blank (blank lines before it are counted, as readLine does).
        const skipped = buffer.slice(0, buffer.length - body.length);
        this.refuse(
          skipped.split('\n').length,
          null,
          `not JSON (it begins with ${shown(body.slice(0, 12))}): this is not a gradlab run file, which is JSON lines beginning with a header object`,
        );
        return;
      }
      buffer = buffer.replace(/^\uFEFF/, '');
    }
    let start = 0;
    for (;;) {
      const newline = buffer.indexOf('\n', start);
      if (newline < 0) break;
      this.readLine(buffer.slice(start, newline));
      start = newline + 1;
      if (this.fatalProblem) return;
    }
    this.pending = buffer.slice(start);
    // A \r at the end may be the start of the line's \r\n: not counted (readLine drops it).
    const pendingLength = this.pending.length - (this.pending.endsWith('\r') ? 1 : 0);
    if (pendingLength > this.maxLineLength) this.refuseLongLine(this.lineNumber + 1);
  }

  /** A line over maxLineLength, whether it came in one chunk or many: the same refusal. */
  private refuseLongLine(line: number): void {
    this.refuse(
      line,
      null,
      `longer than ${this.maxLineLength} characters without a line break: not a gradlab run file`,
    );
  }

  private finishLastLine(): void {
    const last = this.pending;
    this.pending = '';
    if (last.trim() === '') return;
    // A last line without a newline is fine when it is whole JSON (bare NaN / Infinity read as
    // on any other line); otherwise the file was cut.
    try {
      JSON.parse(last);
    } catch {
      if (this.builder && !readBareNonFinite(last.endsWith('\r') ? last.slice(0, -1) : last)) {
        this.lineNumber++;
        this.report({
          line: this.lineNumber,
          field: null,
          severity: 'warning',
          message: `the file ends in the middle of this line (truncated?): the line is not imported; the ${this.builder.recordCount} record${this.builder.recordCount === 1 ? '' : 's'} before it are`,
        });
        return;
      }
    }
    this.readLine(last);
  }

  private finishChecks(): void {
    if (this.fatalProblem) return;
    if (!this.builder) {
      this.refuse(
        0,
        null,
        'the file is empty: expected a gradlab run file (JSON lines, the first one a header)',
      );
      return;
    }
    const records = this.builder.recordCount;
    if (this.endLine === 0)
      this.report({
        line: 0,
        field: null,
        severity: 'warning',
        message: `no end line: the recording was not closed (interrupted, or still running); the ${records} record${records === 1 ? '' : 's'} read are imported`,
      });
    else if (this.endCounts && this.endCounts.records !== records)
      this.report({
        line: this.endLine,
        field: 'records',
        severity: 'warning',
        message: `the end line counts ${this.endCounts.records} records; ${records} were imported`,
      });
    if (records === 0)
      this.report({ line: 0, field: null, severity: 'warning', message: 'no step records' });
  }

  private report(problem: RunProblem): void {
    this.problemTotal++;
    if (this.problemList.length < this.maxProblems) this.problemList.push(problem);
  }

  private refuse(line: number, field: string | null, message: string): void {
    const problem: RunProblem = { line, field, message, severity: 'error' };
    this.fatalProblem = problem;
    this.report(problem);
  }

  private readLine(raw: string): void {
    this.lineNumber++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.length > this.maxLineLength) {
      this.refuseLongLine(this.lineNumber);
      return;
    }
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      const bare = readBareNonFinite(line);
      if (!bare) {
        this.notJson(error);
        return;
      }
      this.reportBareNonFinite(bare);
      value = bare.value;
    }
    if (!this.builder) {
      this.readHeaderLine(value);
      return;
    }
    try {
      this.readRecordLine(value, this.builder);
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      this.report({
        line: this.lineNumber,
        field: error.field,
        severity: 'error',
        message: `${error.detail}; the line is skipped`,
      });
    }
  }

  private notJson(error: unknown): void {
    if (!this.builder) {
      this.refuse(
        this.lineNumber,
        null,
        `not valid JSON (${jsonError(error)}): this is not a gradlab run file`,
      );
      return;
    }
    this.report({
      line: this.lineNumber,
      field: null,
      severity: 'error',
      message: `not valid JSON (${jsonError(error)}); the line is skipped`,
    });
  }

  /**
   * A warning for bare NaN / Infinity tokens, naming the first field: the line is read with them
   * as the non-finite values they stand for (the checks of the line then apply as usual).
   */
  private reportBareNonFinite({ fields, tokens }: BareNonFinite): void {
    const more = fields.length - 1;
    this.report({
      line: this.lineNumber,
      field: fields[0] || null,
      severity: 'warning',
      message:
        `got a bare ${tokens[0]}, which is not JSON (Python's json.dumps writes it unless ` +
        `allow_nan=False); allowed: a number, null, or the string "NaN", "Infinity", "-Infinity"; ` +
        `read as ${tokens[0]}` +
        (more > 0
          ? ` (and ${more} more bare value${more === 1 ? '' : 's'} on this line: ` +
            `${fields.slice(1, 4).join(', ')}${more > 3 ? ', …' : ''})`
          : ''),
    });
  }

  private readHeaderLine(value: unknown): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.refuse(
        this.lineNumber,
        null,
        `got ${shown(value)}; allowed: a JSON object, the header of a gradlab run file`,
      );
      return;
    }
    try {
      this.builder = new RunBuilder(readHeader(value));
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      this.refuse(this.lineNumber, error.field, error.detail);
    }
  }

  private readRecordLine(value: unknown, builder: RunBuilder): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.report({
        line: this.lineNumber,
        field: null,
        severity: 'error',
        message: `got ${shown(value)}; allowed: a JSON object (a "step" or "end" line); the line is skipped`,
      });
      return;
    }
    const object = value as Record<string, unknown>;
    if (this.endLine > 0)
      throw new FieldError('type', `a line after the end line (line ${this.endLine})`);
    if (object.type === 'step') {
      const record = readStepRecord(object, builder.header);
      const last = builder.lastStep;
      if (last !== null && record.step <= last)
        throw new FieldError(
          'step',
          `got ${record.step}; allowed: a step after the previous record's (${last})`,
        );
      builder.add(record);
      return;
    }
    if (object.type === 'end') {
      this.endLine = this.lineNumber;
      const { steps, records } = object;
      if (typeof steps === 'number' && typeof records === 'number')
        this.endCounts = { steps, records };
      return;
    }
    if (typeof object.type !== 'string')
      throw new FieldError('type', `got ${shown(object.type)}; allowed: "step" or "end"`);
    this.report({
      line: this.lineNumber,
      field: 'type',
      severity: 'warning',
      message: `unknown line type ${shown(object.type)} (this gradlab reads "step" and "end"); the line is skipped`,
    });
  }
}

/** Reads a whole file at once (tests, small files): the same checks as streaming. */
export function parseRunFile(
  content: Uint8Array | string,
  options?: RunParserOptions,
): RunParseResult {
  const parser = new RunFileParser(options);
  parser.push(content);
  return parser.finish();
}
