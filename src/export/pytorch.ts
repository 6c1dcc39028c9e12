/**
 * A run spec as a self-contained PyTorch program: the same network as an nn.Module, one forward
 * and backward pass, and the per-layer statistics printed as JSON with the keys of
 * `gradlab run --json`. Pure: the lab's "Export as PyTorch" and the CLI's `export` both call
 * exportPyTorch.
 *
 * What it must match, and how (checked by scripts/make_torch_fixtures.py, which runs exported
 * programs with PyTorch, and tests/engine/pytorch-export.test.ts, which compares them with cpu64):
 * - the activations of activations.ts, as PyTorch modules: exact GELU is nn.GELU(), the tanh
 *   form nn.GELU(approximate='tanh'); leaky_relu's and elu's α; softplus with threshold 40, where
 *   PyTorch's default 20 would return x itself and differ from ln(1 + eˣ) by up to 2e-9 relative;
 *   step as a small autograd.Function, since torch.heaviside has no derivative;
 * - the inits of inits.ts: with `--rng numpy` the very draws of problem.ts (numpy's legacy
 *   generator: W⁽¹⁾ … W⁽ᴸ⁾, then the biases, X, Y), each scaled as the matching nn.init call
 *   would; otherwise the nn.init call itself (or an explicit std where none matches);
 * - residual connections on hidden layers whose input has their width (problem.ts hasResidual);
 * - batch normalization of the hidden layers' pre-activations (pass-rows.ts): nn.BatchNorm1d with
 *   affine=False, track_running_stats=False (batch statistics always) and ε = BATCHNORM_EPSILON;
 * - the output unit (linear or the hidden activation), biases N(0, σ_b²) only where σ_b > 0, and
 *   the loss L = ½‖a⁽ᴸ⁾ − Y‖².
 */
import { BATCHNORM_EPSILON, SATURATION_THRESHOLD } from '../backends/cpu/pass-rows.ts';
import { ACTIVATIONS, activationProperties, type ActivationName } from '../engine/activations.ts';
import { INITS, type InitName } from '../engine/inits.ts';
import { layerSizes } from '../engine/problem.ts';
import { specToEntries, type RunSpec } from '../engine/spec.ts';

export const EXPORT_FORMATS = ['pytorch'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const EXPORT_DTYPES = ['float64', 'float32'] as const;
export type ExportDtype = (typeof EXPORT_DTYPES)[number];

export interface PyTorchExportOptions {
  /** The precision of the exported pass (default float64). */
  readonly dtype?: ExportDtype;
}

/** Spec fields that do not change the exported program: where and how often gradlab runs it. */
const NOT_EXPORTED = new Set(['backend', 'repeat', 'bins']);

/** A Python float literal that reads back as exactly this double. */
function pyFloat(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot write ${value} as a Python float`);
  const magnitude = Math.abs(value);
  const text =
    magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e16)
      ? value.toExponential()
      : String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** A Python literal for a JSON-like value (the spec). */
function pyLiteral(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pyFloat(value);
  if (typeof value === 'string') return JSON.stringify(value);
  throw new TypeError(`no Python literal for ${typeof value}`);
}

/** The CLI command that writes this program. */
export function exportCommand(spec: RunSpec, dtype: ExportDtype = 'float64'): string {
  const flags = specToEntries(spec)
    .filter(([name]) => !NOT_EXPORTED.has(name))
    .map(([name, value]) => (value === 'true' ? `--${name}` : `--${name} ${value}`));
  if (dtype !== 'float64') flags.push(`--dtype ${dtype}`);
  return ['npm run -s cli -- export --format pytorch', ...flags].join(' ');
}

/** The PyTorch expression that builds an activation module, and the prose that explains it. */
interface ActivationCode {
  readonly module: string;
  readonly comment: string;
}

function activationCode(name: ActivationName, alpha: number): ActivationCode {
  switch (name) {
    case 'sigmoid':
      return { module: 'nn.Sigmoid()', comment: 'σ(x) = 1/(1 + e⁻ˣ)' };
    case 'tanh':
      return { module: 'nn.Tanh()', comment: 'tanh(x)' };
    case 'relu':
      return { module: 'nn.ReLU()', comment: "max(0, x); ReLU'(0) = 0, in gradlab as in PyTorch" };
    case 'leaky_relu':
      return {
        module: `nn.LeakyReLU(negative_slope=${pyFloat(alpha)})`,
        comment: `x for x > 0, αx otherwise, α = ${alpha}; the slope at 0 is α`,
      };
    case 'elu':
      return {
        module: `nn.ELU(alpha=${pyFloat(alpha)})`,
        comment: `x for x > 0, α(eˣ − 1) otherwise, α = ${alpha}; the slope at 0 is α`,
      };
    case 'gelu':
      return {
        module: 'nn.GELU()',
        comment: "the exact GELU x·Φ(x) (approximate='none', PyTorch's default)",
      };
    case 'gelu_tanh':
      return {
        module: "nn.GELU(approximate='tanh')",
        comment: 'the tanh approximation ½x(1 + tanh(√(2/π)(x + 0.044715x³)))',
      };
    case 'silu':
      return { module: 'nn.SiLU()', comment: 'x·σ(x) (swish)' };
    case 'softplus':
      return {
        module: 'nn.Softplus(beta=1.0, threshold=40.0)',
        comment:
          'ln(1 + eˣ). PyTorch returns x itself above `threshold`; its default, 20, differs from\n' +
          '    # ln(1 + eˣ) there by up to 2e-9 relative. From 40 on the two agree to the last bit.',
      };
    case 'step':
      return {
        module: 'Heaviside()',
        comment: "H(x) = 1 for x > 0, else 0, with H'(x) = 0 everywhere (see Heaviside)",
      };
    case 'linear':
      return { module: 'nn.Identity()', comment: 'the identity' };
  }
}

/** How one init draws W with numpy (gradlab's numpy protocol) and with torch (nn.init). */
interface InitCode {
  /** Lines of draw_numpy's loop body that append W (n_out × n_in) to `weights`. */
  readonly numpy: readonly string[];
  /** The nn.init call on `weight` (a layer's nn.Linear weight). */
  readonly torch: string;
}

function initCode(name: InitName, spec: RunSpec): InitCode {
  switch (name) {
    case 'normal':
      return {
        numpy: [
          '# N(0, 1), as nn.init.normal_(weight, std=1.0) draws it.',
          'weights.append(np.random.randn(n_out, n_in) * 1.0)',
        ],
        torch: 'nn.init.normal_(weight, mean=0.0, std=1.0)',
      };
    case 'xavier':
      return {
        numpy: [
          '# Xavier (Glorot) normal: N(0, 2/(n_in + n_out)), as nn.init.xavier_normal_ draws it.',
          'std = math.sqrt(2 / (n_in + n_out))',
          'weights.append(np.random.randn(n_out, n_in) * std)',
        ],
        torch: 'nn.init.xavier_normal_(weight)',
      };
    case 'xavier_uniform':
      return {
        numpy: [
          '# Xavier (Glorot) uniform: U(±√(6/(n_in + n_out))), as nn.init.xavier_uniform_ draws it.',
          'limit = math.sqrt(6 / (n_in + n_out))',
          'weights.append(np.random.uniform(-limit, limit, (n_out, n_in)))',
        ],
        torch: 'nn.init.xavier_uniform_(weight)',
      };
    case 'he':
      return {
        numpy: [
          "# He (Kaiming) normal: N(0, 2/n_in), as nn.init.kaiming_normal_(weight, nonlinearity='relu')",
          '# draws it (gradlab uses 2/n_in whatever the activation).',
          'std = math.sqrt(2 / n_in)',
          'weights.append(np.random.randn(n_out, n_in) * std)',
        ],
        torch: "nn.init.kaiming_normal_(weight, mode='fan_in', nonlinearity='relu')",
      };
    case 'he_uniform':
      return {
        numpy: [
          "# He (Kaiming) uniform: U(±√(6/n_in)), as nn.init.kaiming_uniform_(weight, nonlinearity='relu')",
          '# draws it.',
          'limit = math.sqrt(6 / n_in)',
          'weights.append(np.random.uniform(-limit, limit, (n_out, n_in)))',
        ],
        torch: "nn.init.kaiming_uniform_(weight, mode='fan_in', nonlinearity='relu')",
      };
    case 'lecun':
      return {
        numpy: [
          "# LeCun normal: N(0, 1/n_in), as nn.init.kaiming_normal_(weight, nonlinearity='linear')",
          '# (gain 1) draws it.',
          'std = math.sqrt(1 / n_in)',
          'weights.append(np.random.randn(n_out, n_in) * std)',
        ],
        torch: "nn.init.kaiming_normal_(weight, mode='fan_in', nonlinearity='linear')",
      };
    case 'orthogonal':
      return {
        numpy: [
          `# Orthogonal, times the gain ${spec.gain}.`,
          'weights.append(orthogonal(np.random.randn(n_out, n_in)) * GAIN)',
        ],
        torch: 'nn.init.orthogonal_(weight, gain=GAIN)',
      };
    case 'custom':
      return {
        numpy: [
          '# Mean-field init: N(0, σ_w²/n_in). No nn.init call has this std by name, so it is',
          '# written out (nn.init.normal_ with this std draws the same distribution).',
          'std = SIGMA_W / math.sqrt(n_in)',
          'weights.append(np.random.randn(n_out, n_in) * std)',
        ],
        torch: 'nn.init.normal_(weight, mean=0.0, std=SIGMA_W / math.sqrt(weight.shape[1]))',
      };
  }
}

const ORTHOGONAL_HELPER = `

def orthogonal(normals):
    """An orthogonal matrix from a matrix of standard normals, as nn.init.orthogonal_ makes one.

    QR factorization, with each column of Q multiplied by the sign of R's diagonal (so that Q is
    uniformly distributed). One difference: gradlab orthonormalizes the rows whenever
    n_out <= n_in, square matrices included, where nn.init.orthogonal_ takes the columns of a
    square matrix. Both are orthogonal; this one is gradlab's.
    """
    n_out, n_in = normals.shape
    rows = n_out <= n_in
    matrix = torch.from_numpy(normals.T if rows else normals)
    q, r = torch.linalg.qr(matrix)
    q = q * torch.sign(torch.diagonal(r))
    return (q.T if rows else q).numpy()
`;

const HEAVISIDE_HELPER = `

class HeavisideFunction(torch.autograd.Function):
    """H(x) = 1 for x > 0, else 0. torch.heaviside has no derivative; gradlab takes H'(x) = 0."""

    @staticmethod
    def forward(ctx, x):
        return (x > 0).to(x.dtype)

    @staticmethod
    def backward(ctx, grad_output):
        return torch.zeros_like(grad_output)


class Heaviside(nn.Module):
    def forward(self, x):
        return HeavisideFunction.apply(x)
`;

/** Prose for the docstring: the network in a sentence. */
function describeNetwork(spec: RunSpec): string {
  const parts = [
    `${spec.activation}${ACTIVATIONS[spec.activation].defaultAlpha !== undefined ? ` (α = ${spec.alpha})` : ''}`,
    `${INITS[spec.init].label} init${spec.init === 'orthogonal' ? ` (gain ${spec.gain})` : ''}${spec.init === 'custom' ? ` (σ_w = ${spec.sigmaW})` : ''}`,
    `${spec.depth} hidden layer${spec.depth === 1 ? '' : 's'} × ${spec.width}`,
    `inputs ${spec.inputs}, outputs ${spec.outputs}, batch ${spec.batch}`,
    `${spec.outputActivation === 'linear' ? 'a linear' : `a ${spec.activation}`} output unit`,
    spec.sigmaB > 0 ? `biases N(0, ${spec.sigmaB}²)` : 'no biases',
  ];
  if (spec.residual) parts.push('residual connections');
  if (spec.batchnorm) parts.push('batch normalization');
  parts.push(`seed ${spec.seed}, rng ${spec.rng}`);
  return parts.join(', ');
}

/** Wraps prose to `width` columns with a prefix on every line. */
function wrap(text: string, prefix: string, width = 99): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && prefix.length + line.length + 1 + word.length > width) {
      lines.push(prefix + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(prefix + line);
  return lines.join('\n');
}

/**
 * The PyTorch program for a spec. `--rng numpy` draws gradlab's very weights, inputs and targets
 * (numpy's legacy generator); `--rng philox` draws the same distributions with torch's own
 * generator, and the program says that its numbers differ from gradlab's.
 */
export function exportPyTorch(spec: RunSpec, options: PyTorchExportOptions = {}): string {
  const dtype = options.dtype ?? 'float64';
  const sizes = layerSizes(spec);
  const numpy = spec.rng === 'numpy';
  const hidden = activationCode(spec.activation, spec.alpha);
  const outputName = spec.outputActivation === 'linear' ? 'linear' : spec.activation;
  const output = activationCode(outputName, spec.alpha);
  const hiddenMax = activationProperties(spec.activation, spec.alpha).maxAbsDerivative;
  const outputMax = activationProperties(outputName, spec.alpha).maxAbsDerivative;
  const init = initCode(spec.init, spec);
  const usesStep = spec.activation === 'step';
  const specLiteral = Object.entries(spec)
    .filter(([key]) => key !== 'backend' && key !== 'repeat' && key !== 'bins')
    .map(([key, value]) => `    ${JSON.stringify(key)}: ${pyLiteral(value)},`)
    .join('\n');
  const precisionName = dtype === 'float64' ? 'f64' : 'f32';
  const philoxNote =
    `gradlab draws this run with its Philox generator (--rng philox); this program draws the ` +
    `same distributions with torch.manual_seed(${spec.seed}), so its weights, inputs and targets, ` +
    `and its numbers, differ from gradlab's. Export with --rng numpy for the very same weights.`;

  const purpose =
    "It builds gradlab's network as an nn.Module, " +
    (numpy
      ? "draws W, b, X and Y with numpy's legacy generator in gradlab's order (so the weights are " +
        'the very ones gradlab uses), '
      : "draws W, b, X and Y with torch's generator (gradlab uses its own Philox generator here, " +
        'so the numbers differ; see NOTE), ') +
    `runs one forward and backward pass in ${dtype} and prints the per-layer statistics as JSON, ` +
    'with the keys of `gradlab run --json`. With --weight-gradients it also prints every dL/dW.';
  const header = `#!/usr/bin/env python3
"""A gradlab run as a PyTorch program.

${wrap(describeNetwork(spec) + '.', '')}
Written by:
    ${exportCommand(spec, dtype)}

${wrap(purpose, '')}

Needs torch${numpy ? ' and numpy' : ''}.
"""
import argparse
import json
import math
import sys

${numpy ? 'import numpy as np\n' : ''}import torch
from torch import nn

DTYPE = torch.${dtype}
SEED = ${spec.seed}
# Units per layer: the inputs, ${spec.depth} hidden layer${spec.depth === 1 ? '' : 's'} of ${spec.width}, the outputs.
SIZES = [${sizes.join(', ')}]
BATCH = ${spec.batch}
# Biases ~ N(0, SIGMA_B²); 0: the layers have no biases.
SIGMA_B = ${pyFloat(spec.sigmaB)}
${spec.init === 'custom' ? `# Weights ~ N(0, SIGMA_W²/n_in).\nSIGMA_W = ${pyFloat(spec.sigmaW)}\n` : ''}${spec.init === 'orthogonal' ? `GAIN = ${pyFloat(spec.gain)}\n` : ''}RESIDUAL = ${spec.residual ? 'True' : 'False'}
BATCHNORM = ${spec.batchnorm ? 'True' : 'False'}
BATCHNORM_EPS = ${pyFloat(BATCHNORM_EPSILON)}
# A unit is saturated on a sample when |φ'(z)| <= SATURATION · sup|φ'|; gradlab measures sup|φ'|.
SATURATION = ${pyFloat(SATURATION_THRESHOLD)}
MAX_SLOPE_HIDDEN = ${pyFloat(hiddenMax)}
MAX_SLOPE_OUTPUT = ${pyFloat(outputMax)}
# The gradlab spec this program was written from.
SPEC = {
${specLiteral}
}
${
  numpy
    ? ''
    : `NOTE = (
${wrap(philoxNote, '    ', 96)
  .split('\n')
  .map((line, i, all) => `    ${JSON.stringify(line.trim() + (i < all.length - 1 ? ' ' : ''))}`)
  .join('\n')}
)
`
}`;

  const activations = `

def hidden_activation():
    # ${hidden.comment}
    return ${hidden.module}


def output_activation():
    # ${output.comment}
    return ${output.module}
`;

  const network = `

class GradlabLayer(nn.Module):
    """One layer: z = W a + b, ẑ = BN(z) (hidden layers, with batchnorm), h = φ(ẑ),
    a' = h (+ a with residual connections)."""

    def __init__(self, n_in, n_out, activation, batchnorm, residual):
        super().__init__()
        self.linear = nn.Linear(n_in, n_out, bias=SIGMA_B > 0)
        # gradlab's batch normalization: batch statistics always (also outside training),
        # population variance, ε = BATCHNORM_EPS, and no learned scale or shift.
        self.norm = (
            nn.BatchNorm1d(n_out, eps=BATCHNORM_EPS, affine=False, track_running_stats=False)
            if batchnorm
            else None
        )
        self.activation = activation
        # Residual: a' = φ(ẑ) + a, on hidden layers whose input has their width.
        self.residual = residual

    def forward(self, a):
        z = self.linear(a)
        # Keep dL/dz: the chapter's δ, whose norm is gradlab's gradNorm.
        z.retain_grad()
        z_hat = self.norm(z) if self.norm is not None else z
        h = self.activation(z_hat)
        out = h + a if self.residual else h
        # Kept for the statistics: z (its .grad is δ), ẑ (for φ'), h (dead units) and a'.
        self.z, self.z_hat, self.h, self.out = z, z_hat, h, out
        return out


class GradlabNetwork(nn.Module):
    """gradlab's network: len(SIZES) − 1 layers, input side first."""

    def __init__(self):
        super().__init__()
        count = len(SIZES) - 1
        layers = []
        for l in range(1, count + 1):
            n_in, n_out = SIZES[l - 1], SIZES[l]
            is_hidden = l < count
            layers.append(
                GradlabLayer(
                    n_in,
                    n_out,
                    activation=hidden_activation() if is_hidden else output_activation(),
                    # gradlab normalizes the hidden layers' pre-activations, not the output's.
                    batchnorm=BATCHNORM and is_hidden,
                    residual=RESIDUAL and is_hidden and n_in == n_out,
                )
            )
        self.layers = nn.ModuleList(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
`;

  const draws = numpy
    ? `

def draw_numpy():
    """gradlab's numpy protocol: np.random.seed(SEED), then W of every layer in order
    (n_out × n_in), then the biases (only where SIGMA_B > 0), then X (inputs × batch), then Y
    (outputs × batch)."""
    np.random.seed(SEED)
    weights = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
${init.numpy.map((line) => `        ${line}`).join('\n')}
    biases = [np.random.randn(n_out) * SIGMA_B if SIGMA_B > 0 else None for n_out in SIZES[1:]]
    x = np.random.randn(SIZES[0], BATCH)
    y = np.random.randn(SIZES[-1], BATCH)
    return weights, biases, x, y


def load_problem(network):
    """Copies gradlab's weights and biases into the network; returns X and Y, a sample per row."""
    weights, biases, x, y = draw_numpy()
    with torch.no_grad():
        for layer, w, b in zip(network.layers, weights, biases):
            layer.linear.weight.copy_(torch.from_numpy(w))
            if b is not None:
                layer.linear.bias.copy_(torch.from_numpy(b))
    # gradlab (like the chapter) keeps one sample per column; PyTorch wants one per row.
    return torch.from_numpy(x).T.to(DTYPE), torch.from_numpy(y).T.to(DTYPE)
`
    : `

def load_problem(network):
    """Draws the weights, biases, X and Y from gradlab's distributions with torch's generator."""
    torch.manual_seed(SEED)
    with torch.no_grad():
        for layer in network.layers:
            weight = layer.linear.weight
            ${init.torch}
            if layer.linear.bias is not None:
                nn.init.normal_(layer.linear.bias, mean=0.0, std=SIGMA_B)
    x = torch.randn(BATCH, SIZES[0], dtype=DTYPE)
    y = torch.randn(BATCH, SIZES[-1], dtype=DTYPE)
    return x, y
`;

  const statistics = `

def slope(activation, z):
    """φ'(z) entry by entry: φ acts on each entry alone, so the gradient of Σ φ(z) is φ'(z)."""
    z = z.detach().requires_grad_(True)
    (gradient,) = torch.autograd.grad(activation(z).sum(), z)
    return gradient


def number(value):
    """A statistic for JSON: a float, or None where it is NaN or infinite."""
    value = float(value)
    return value if math.isfinite(value) else None


def layer_record(index, layer, max_slope):
    a = layer.out.detach()
    mean = a.mean()
    # gradlab's std is the population std over every unit and sample.
    std = ((a - mean) ** 2).mean().sqrt()
    # Dead: units whose φ(ẑ) is exactly 0 on every sample (before the residual add).
    dead = (layer.h.detach() == 0).all(dim=0).to(torch.float64).mean()
    # Saturated: (unit, sample) pairs with |φ'(ẑ)| <= SATURATION · sup|φ'|.
    saturated_pairs = slope(layer.activation, layer.z_hat).abs() <= SATURATION * max_slope
    saturated = saturated_pairs.to(torch.float64).mean()
    values = {
        "gradNorm": layer.z.grad.norm(),
        "weightGradNorm": layer.linear.weight.grad.norm(),
        "activationMean": mean,
        "activationStd": std,
        "deadFraction": dead,
        "saturatedFraction": saturated,
    }
    record = {"layer": index, **{key: number(value) for key, value in values.items()}}
    finite = all(v is not None for v in record.values()) and bool(torch.isfinite(a).all())
    record["finite"] = finite
    return record
`;

  const main = `

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\\n")[0])
    parser.add_argument(
        "--weight-gradients", action="store_true", help="also print dL/dW of every layer"
    )
    args = parser.parse_args()
${numpy ? '' : '    print(f"note: {NOTE}", file=sys.stderr)\n'}
    network = GradlabNetwork().to(DTYPE)
    x, y = load_problem(network)
    output = network(x)
    # gradlab's loss: L = ½‖a_L − Y‖², summed over outputs and samples.
    loss = 0.5 * ((output - y) ** 2).sum()
    loss.backward()

    count = len(network.layers)
    report = {
        "spec": SPEC,
        "backend": {"name": "pytorch", "precision": "${precisionName}", "torch": torch.__version__},
        "rng": "${numpy ? 'numpy' : 'torch'}",
${numpy ? '' : '        "note": NOTE,\n'}        "loss": number(loss),
        "layers": [
            layer_record(l, layer, MAX_SLOPE_OUTPUT if l == count else MAX_SLOPE_HIDDEN)
            for l, layer in enumerate(network.layers, start=1)
        ],
    }
    if args.weight_gradients:
        # Row-major n_out × n_in, as gradlab stores W.
        report["weightGradients"] = [
            [number(v) for v in layer.linear.weight.grad.flatten().tolist()]
            for layer in network.layers
        ]
    json.dump(report, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
`;

  return (
    header +
    (usesStep ? HEAVISIDE_HELPER : '') +
    activations +
    network +
    (numpy && spec.init === 'orthogonal' ? ORTHOGONAL_HELPER : '') +
    draws +
    statistics +
    main
  );
}
