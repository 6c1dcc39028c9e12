/**
 * The one table of weight initializations. Each entry says how W⁽ˡ⁾ (n_out × n_in) is drawn.
 * Formulas: Glorot & Bengio 2010 (xavier, eq. 12 and 16), He et al. 2015 (he, eq. 10),
 * LeCun et al. 1998 (lecun), Saxe et al. 2014 (orthogonal), and the mean-field convention
 * W ~ N(0, σ_w²/n_in), b ~ N(0, σ_b²) of Poole et al. 2016 (custom).
 */
export const INIT_NAMES = [
  'normal',
  'xavier',
  'xavier_uniform',
  'he',
  'he_uniform',
  'lecun',
  'orthogonal',
  'custom',
] as const;

export type InitName = (typeof INIT_NAMES)[number];

/** How the entries are drawn: N(0, scale²), U(−scale, scale), or an orthogonal matrix × scale. */
export type InitDistribution = 'normal' | 'uniform' | 'orthogonal';

export interface InitParameters {
  /** Orthogonal gain. */
  readonly gain: number;
  /** Custom init: weight std is σ_w/√n_in. */
  readonly sigmaW: number;
}

export interface Init {
  readonly name: InitName;
  readonly label: string;
  readonly distribution: InitDistribution;
  /** TeX of the distribution. */
  readonly tex: string;
  readonly source: string;
  /** The std (normal), the limit (uniform) or the gain (orthogonal). */
  readonly scale: (nIn: number, nOut: number, params: InitParameters) => number;
}

export const INITS: Readonly<Record<InitName, Init>> = {
  normal: {
    name: 'normal',
    label: 'Normal (std 1)',
    distribution: 'normal',
    tex: 'W_{ij} \\sim \\mathcal{N}(0, 1)',
    source: 'Chapter Exercise 17.5',
    scale: () => 1,
  },
  xavier: {
    name: 'xavier',
    label: 'Xavier (normal)',
    distribution: 'normal',
    tex: 'W_{ij} \\sim \\mathcal{N}\\!\\left(0, \\tfrac{2}{n_\\text{in} + n_\\text{out}}\\right)',
    source: 'Glorot & Bengio 2010',
    scale: (nIn, nOut) => Math.sqrt(2 / (nIn + nOut)),
  },
  xavier_uniform: {
    name: 'xavier_uniform',
    label: 'Xavier (uniform)',
    distribution: 'uniform',
    tex: 'W_{ij} \\sim \\mathcal{U}\\!\\left(\\pm\\sqrt{\\tfrac{6}{n_\\text{in} + n_\\text{out}}}\\right)',
    source: 'Glorot & Bengio 2010, eq. 16',
    scale: (nIn, nOut) => Math.sqrt(6 / (nIn + nOut)),
  },
  he: {
    name: 'he',
    label: 'He (normal)',
    distribution: 'normal',
    tex: 'W_{ij} \\sim \\mathcal{N}\\!\\left(0, \\tfrac{2}{n_\\text{in}}\\right)',
    source: 'He et al. 2015',
    scale: (nIn) => Math.sqrt(2 / nIn),
  },
  he_uniform: {
    name: 'he_uniform',
    label: 'He (uniform)',
    distribution: 'uniform',
    tex: 'W_{ij} \\sim \\mathcal{U}\\!\\left(\\pm\\sqrt{\\tfrac{6}{n_\\text{in}}}\\right)',
    source: 'He et al. 2015',
    scale: (nIn) => Math.sqrt(6 / nIn),
  },
  lecun: {
    name: 'lecun',
    label: 'LeCun (normal)',
    distribution: 'normal',
    tex: 'W_{ij} \\sim \\mathcal{N}\\!\\left(0, \\tfrac{1}{n_\\text{in}}\\right)',
    source: 'LeCun et al. 1998',
    scale: (nIn) => Math.sqrt(1 / nIn),
  },
  orthogonal: {
    name: 'orthogonal',
    label: 'Orthogonal',
    distribution: 'orthogonal',
    tex: 'W = g\\,Q,\\; Q^\\top Q = I',
    source: 'Saxe, McClelland & Ganguli 2014',
    scale: (_nIn, _nOut, params) => params.gain,
  },
  custom: {
    name: 'custom',
    label: 'Custom (σ_w, σ_b)',
    distribution: 'normal',
    tex: 'W_{ij} \\sim \\mathcal{N}\\!\\left(0, \\tfrac{\\sigma_w^2}{n_\\text{in}}\\right),\\; b_i \\sim \\mathcal{N}(0, \\sigma_b^2)',
    source: 'Poole et al. 2016; Schoenholz et al. 2017',
    scale: (nIn, _nOut, params) => params.sigmaW / Math.sqrt(nIn),
  },
};

/**
 * The init each activation was made for: Xavier (Glorot & Bengio 2010), which keeps the variance
 * of activations symmetric around 0 with slope 1 there (sigmoid, tanh, linear); He (He et al.
 * 2015, eq. 10), which doubles it for units that zero half their inputs (the ReLU family). The
 * lab's "each with its own init" comparisons pair them so.
 */
export const RECOMMENDED_INIT = {
  sigmoid: 'xavier',
  tanh: 'xavier',
  relu: 'he',
  leaky_relu: 'he',
  elu: 'he',
  gelu: 'he',
  gelu_tanh: 'he',
  silu: 'he',
  softplus: 'he',
  step: 'xavier',
  linear: 'xavier',
} as const satisfies Readonly<Record<string, InitName>>;

export function isInitName(name: string): name is InitName {
  return (INIT_NAMES as readonly string[]).includes(name);
}

/**
 * Turns a row-major n_out × n_in matrix of standard normals into an orthogonal one, in place:
 * orthonormal rows when n_out ≤ n_in, orthonormal columns otherwise. Modified Gram–Schmidt with
 * a second pass ("twice is enough", Giraud et al. 2005) gives Q with a positive diagonal of R,
 * the same Q as numpy's QR followed by the usual sign correction.
 */
export function orthogonalize(matrix: Float64Array, nOut: number, nIn: number): void {
  const rowsAreVectors = nOut <= nIn;
  const count = rowsAreVectors ? nOut : nIn;
  const length = rowsAreVectors ? nIn : nOut;
  const stride = rowsAreVectors ? 1 : nIn;
  const start = (v: number): number => (rowsAreVectors ? v * nIn : v);
  for (let j = 0; j < count; j++) {
    const sj = start(j);
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        const si = start(i);
        let dot = 0;
        for (let t = 0; t < length; t++) dot += matrix[si + t * stride]! * matrix[sj + t * stride]!;
        for (let t = 0; t < length; t++) matrix[sj + t * stride]! -= dot * matrix[si + t * stride]!;
      }
    }
    let norm = 0;
    for (let t = 0; t < length; t++) norm += matrix[sj + t * stride]! ** 2;
    norm = Math.sqrt(norm);
    for (let t = 0; t < length; t++) matrix[sj + t * stride]! /= norm;
  }
}
